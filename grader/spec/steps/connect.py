"""``connect``: a client opens a WebSocket connection (a path, or the whole handshake).

```yaml
- connect: /ws                                   # must be accepted
- connect: {path: /ws, query: {token: abc}, headers: {X-Room: a}, cookies: {sid: s1}}
- connect: {path: /chat, subprotocols: [v2, v1], subprotocol: v2}   # offered, and the one it must pick
- connect: {path: /ws, status: 403}              # refused, as a real client sees it (HTTP status)
- connect: {path: /ws, refused: {code: 4001, reason: {$re: "bad token.*"}}}   # the ASGI close code and reason
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from grader.errors import Mark
from grader.result import Kind
from grader.spec.args import Reader, close_code
from grader.spec.flow import Flow
from grader.spec.match import explain, resolve, show
from grader.spec.steps import StepKind, Talk
from grader.spec.yamlnodes import Located

CONNECT_KEYS = ("path", "query", "headers", "cookies", "subprotocols", "refused", "subprotocol", "status")


@dataclass(frozen=True)
class Connect:
    path: str
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    subprotocols: tuple[str, ...] = ()
    # None: must be accepted; True: any refusal; an int: refused with that ASGI
    # close code (what the endpoint passed to close(); no real client sees it).
    refused: bool | int | None = None
    # A matcher for the subprotocol the server picked, if the spec cares.
    subprotocol: Any = None
    # Refused with this HTTP status, as a real client sees it (403, 500, 401...).
    status: int | None = None
    # A matcher for the close reason the endpoint refused with (refused: {reason: ...}).
    refusal_reason: Any = None


@dataclass(frozen=True)
class Handshake:
    """A path, or {path, query, headers, cookies, subprotocols, refused, subprotocol, status}."""

    def schema(self) -> dict[str, Any]:
        return {"$ref": "#/$defs/connect"}

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> Connect | None:
        if isinstance(node.value, str):
            return Connect(path=_path(reader, node))
        fields = reader.mapping(node, {k: k == "path" for k in CONNECT_KEYS}, "connect")
        if fields is None or "path" not in fields:
            return None
        refused: bool | int | None = None
        status_node = fields.get("status")
        reason = None
        if "refused" in fields:
            raw = fields["refused"].value
            if isinstance(raw, dict):
                # refused: {code, status, reason}: the same checks, in one place.
                parts = reader.mapping(fields["refused"], ("code", "status", "reason"), "refused") or {}
                refused = close_code(reader, parts["code"]) if "code" in parts else True
                status_node = parts.get("status", status_node)
                if "reason" in parts:
                    if reader.matcher(parts["reason"], variables):
                        reader.never(parts["reason"], frozenset({"str"}), "a close reason is a string")
                    reason = parts["reason"].plain()
            elif raw is True or (isinstance(raw, int) and not isinstance(raw, bool) and 1000 <= raw <= 4999):
                refused = raw
            elif raw is not False:
                reader.error(fields["refused"].mark, "refused is true (any close code), a close code 1000-4999, "
                                                     "or {code, status, reason}")
        status: int | None = None
        if status_node is not None:
            raw = status_node.value
            if isinstance(raw, int) and not isinstance(raw, bool) and 400 <= raw <= 599:
                status = raw
            else:
                reader.error(status_node.mark, "status is the HTTP status of the refusal a real client gets, "
                                               "400-599 (403 for a close before accept, 500 for an error)")
        subprotocols = reader.names(fields.get("subprotocols"), "subprotocols")
        chosen = None
        if "subprotocol" in fields:
            chosen = _subprotocol(reader, fields["subprotocol"], variables)
        query = fields.get("query")
        if query is not None and isinstance(query.value, str):
            query_value: Any = query.value
        else:
            query_value = reader.string_map(query, "query", scalars=True)
        return Connect(
            path=_path(reader, fields["path"]),
            query=query_value,
            headers=reader.string_map(fields.get("headers"), "headers"),
            cookies=reader.string_map(fields.get("cookies"), "cookies"),
            subprotocols=subprotocols,
            refused=refused,
            subprotocol=chosen,
            status=status,
            refusal_reason=reason,
        )


def _path(reader: Reader, node: Located) -> str:
    path = reader.string(node, "path", "/") or "/"
    if not path.startswith("/"):
        reader.error(node.mark, f"path must start with '/', like /ws, not {path!r}")
    if "?" in path:
        reader.error(node.mark, "put the query string under 'query', not in the path")
    return path


def _subprotocol(reader: Reader, node: Located, variables: frozenset[str]) -> Any:
    """A matcher for the subprotocol the server picked: a string, or null when it picked none."""
    if node.value is None:
        reader.error(node.mark, "subprotocol: null checks nothing; leave it out to not check, or write "
                                "subprotocol: {$eq: null} to require that the server picks none")
        return None
    if isinstance(node.value, list):
        reader.error(node.mark, "subprotocol is the one the server picks (a string or a matcher); "
                                "the ones the client offers go in subprotocols: [...]")
        return None
    if reader.matcher(node, variables):
        reader.never(node, frozenset({"str", "null"}), "the subprotocol the server picks is a string (or none)")
    return node.plain()


class ConnectKind(StepKind):
    name: ClassVar[str] = "connect"
    argument = Handshake()

    def defs(self) -> dict[str, Any]:
        close_code = {"$ref": "#/$defs/close_code"}
        status = {"type": "integer", "minimum": 400, "maximum": 599}
        return {"connect": {"oneOf": [
            {"type": "string", "pattern": "^/", "description": "The path, e.g. /ws."},
            {
                "type": "object",
                "properties": {
                    "path": {"type": "string", "pattern": "^/"},
                    "query": {"oneOf": [{"type": "string"}, {"type": "object"}]},
                    "headers": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
                    "cookies": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
                    "subprotocols": {"type": "array", "items": {"type": "string"}},
                    "refused": {"oneOf": [{"type": "boolean"}, close_code,
                                          {"type": "object",
                                           "properties": {"code": close_code, "status": status,
                                                          "reason": {"$ref": "#/$defs/string_matcher"}},
                                           "additionalProperties": False}],
                                "description": "Expect the handshake refused: true, or the ASGI close code the "
                                               "endpoint closed with (no real client sees it)."},
                    "subprotocol": {"$ref": "#/$defs/string_matcher",
                                    "description": "The subprotocol the server picks ({$eq: null}: none)."},
                    "status": {**status, "description": "Expect the handshake refused with this HTTP status, as a "
                                                        "real client sees it (403: closed before accept; 500: an "
                                                        "error)."},
                },
                "required": ["path"],
                "additionalProperties": False,
            },
        ]}}

    def follow(self, flow: Flow, reader: Reader, client: str, arg: Any, where: Mark) -> None:
        if flow.stopped:
            reader.error(where, "the app has shut down: no connection can open after a shutdown step")
        if flow.states.get(client, flow.NEW) == flow.OPEN:
            reader.error(where, f"client {client!r} is already connected; disconnect it first or use another client name")
        refused = isinstance(arg, Connect) and (arg.refused not in (None, False) or arg.status is not None)
        flow.states[client] = flow.CLOSED if refused else flow.OPEN
        flow.pinged.discard(client)  # a new connection: its pongs answer only its own pings

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        spec: Connect = step.arg
        client = talk.open(step)
        handshake = await client.connect(spec, step.timeout)
        if client.crash is not None:
            raise talk.crashed(client)
        wanted = spec.refused if spec.status is None or spec.refused not in (None, False) else True
        if handshake.accepted:
            if wanted not in (None, False):
                raise talk.fail(Kind.REFUSED, talk.say("the server accepted the connection to {path}; it should have refused it", path=spec.path),
                                expected=talk.say("the endpoint closes before accepting")
                                + (f" (code {wanted})" if wanted is not True else "")
                                + (f" (HTTP {spec.status})" if spec.status is not None else ""),
                                actual=talk.say("accepted"))
            if spec.subprotocol is not None:
                mismatch = talk.matches(resolve(spec.subprotocol, env), handshake.subprotocol)
                if mismatch:
                    raise talk.fail(Kind.MISMATCH, talk.say("the server picked the wrong subprotocol"),
                                    expected=explain(spec.subprotocol), actual=show(handshake.subprotocol))
            return
        await _refused(talk, step, env, client, handshake, wanted)


async def _refused(talk: Talk, step: Any, env: dict[str, Any], client: Any, handshake: Any, wanted: Any) -> None:
    """A handshake that did not end in an accepted connection: judged by what a real client sees."""
    spec: Connect = step.arg
    # The spec expects the handshake to fail and names nothing a client cannot see (no ASGI close code):
    # whatever made it fail, the client's view is what is judged.
    expects_failure = wanted is True
    if handshake.aborted and expects_failure and spec.status is None:
        return  # the client gave up on the handshake, as the spec says it should
    if handshake.aborted:
        raise talk.fail(Kind.REFUSED, talk.say("a real client would abort this handshake: {why}. Accept with one of "
                                               "websocket.scope['subprotocols'], or with none",
                                               why=handshake.aborted),
                        expected=talk.say("a subprotocol the client offered, or none"),
                        actual=show(handshake.subprotocol))
    side = client.side
    # The endpoint failed the handshake itself (no accept, no refusal): a real client gets HTTP 500.
    failed_itself = not side.accepted and side.close is None and side.status is None
    if failed_itself and expects_failure and spec.status == 500 and handshake.status == 500:
        return  # what escaped is for a later step (ends_cleanly) to report
    if side.ended and side.error is None and failed_itself:
        raise talk.fail(Kind.REFUSED, talk.say("your endpoint for {path} returned without accepting the connection: "
                                               "call await websocket.accept() first (uvicorn answers HTTP 500 here "
                                               "and logs 'ASGI callable returned without completing handshake')",
                                               path=spec.path),
                        expected="await websocket.accept()", actual=talk.say("the endpoint function returned"))
    if handshake.timed_out:
        where = await talk.waiting_at(client)
        raise talk.fail(Kind.TIMEOUT, talk.say("the endpoint for {path} neither accepted nor refused the connection "
                                       "within {seconds} s", path=spec.path, seconds=f"{step.timeout:g}") + where,
                        expected="await websocket.accept()" if wanted in (None, False) else talk.say("a refusal"),
                        actual=talk.say("no answer to the handshake"))
    if client.side.error is not None and failed_itself:
        errors = client.side.error.errors
        raise talk.fail(Kind.ERROR, talk.say("your endpoint raised {error} during the handshake (a real client gets "
                                             "HTTP 500, and uvicorn logs 'Exception in ASGI application')",
                                             error=errors[-1].headline()),
                        expected=talk.say("accepted") if wanted in (None, False) else talk.say("a refusal"),
                        actual=talk.say("an exception"), errors=errors)
    # What a real client sees is the HTTP status; the ASGI close code stays inside the server.
    refusal = f"HTTP {handshake.status or 403}"
    if handshake.code is not None:
        refusal += " (" + talk.say("closed with code {code}", code=handshake.code) + (
            f" {handshake.reason!r}" if handshake.reason else "") + ")"
    if wanted in (None, False):
        routes = talk.routes()
        detail = ""
        if not client.side.accepted and handshake.code == 1000 and spec.path not in routes:
            detail = "; " + talk.say("no WebSocket route of your app matches {path}: it has {routes}", path=spec.path,
                                      routes=", ".join(routes) if routes else talk.say("none"))
        raise talk.fail(Kind.REFUSED, talk.say("the server refused the connection to {path} ({refusal} before accepting)",
                                               path=spec.path, refusal=refusal) + detail,
                        expected=talk.say("the connection is accepted"), actual=talk.say("refused: {refusal}", refusal=refusal))
    if spec.status is not None and (handshake.status or 403) != spec.status:
        raise talk.fail(Kind.REFUSED, talk.say("the server refused the connection with HTTP {status}, not {wanted}",
                                               status=handshake.status or 403, wanted=spec.status),
                        expected=talk.say("refused with HTTP {status}", status=spec.status),
                        actual=talk.say("refused: {refusal}", refusal=refusal))
    if wanted is not True and handshake.code != wanted:
        raise talk.fail(Kind.REFUSED, talk.say("the server refused the connection with code {code}, not {wanted}",
                                               code=handshake.code, wanted=wanted),
                        expected=talk.say("refused with code {code}", code=wanted),
                        actual=talk.say("refused: {refusal}", refusal=refusal))
    if spec.refusal_reason is not None and talk.matches(resolve(spec.refusal_reason, env), handshake.reason or ""):
        raise talk.fail(Kind.REFUSED, talk.say("the server refused the connection, but not with the expected reason"),
                        expected=f"reason {explain(spec.refusal_reason)}",
                        actual=talk.say("refused: {refusal}", refusal=refusal))
