"""The corpus: small edge-case apps, each with a scripted client conversation.

Every case is a fresh app per run (``Case.build``) and a short script (see
``model.py``). Endpoints are module-level functions on purpose: FastAPI
resolves ``websocket: WebSocket`` in their module's globals, and this file's
folder counts as "the learner's" for the grader's host, so its frames are
the ones reported.

Groups (the id prefix): ``hs`` handshake, ``refuse`` refusals, ``order``
accept/close ordering and exceptions around them, ``left`` the client left,
``type`` invalid message types, ``close`` close codes and reasons, ``sub``
subprotocols, ``hdr`` headers, ``size`` message size limits, ``queue`` many
queued frames, ``life`` lifespan state, ``push`` server push, ``dep``
dependencies, ``quiet`` what ends a wait for nothing (a frame, a close, a
return, an exception), ``clock`` clocks against threads, blocking calls
and timers, ``scope`` what the app sees of its server and client, ``hsfail``
handshakes that fail (as a spec may expect),
``raw`` frames a well-behaved client library would not write (invalid
UTF-8, close frames with no code or a payload no close frame may have,
pings, fragments, protocol errors; asserted under both of uvicorn's
protocols, with what the endpoint heard), ``misc`` the rest.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import Cookie, Depends, FastAPI, Header, HTTPException, Query, WebSocket, WebSocketException, status
from fastapi.responses import PlainTextResponse
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from .model import Action, Case, Close, CloseRaw, Ping, Recv, SendBytes, SendFrame, SendText, Wait

CASES: list[Case] = []

MIB = 1 << 20


def case(id: str, checks: str, *script: Action, route: str = "/ws", **options: Any) -> Callable[[Any], Any]:
    """Register ``endpoint`` as the only WebSocket route of a fresh FastAPI app."""

    def register(endpoint: Any) -> Any:
        def build() -> FastAPI:
            app = FastAPI()
            app.add_api_websocket_route(route, endpoint)
            return app

        CASES.append(Case(id, checks, build, tuple(script), **options))
        return endpoint

    return register


def app_case(id: str, checks: str, *script: Action, **options: Any) -> Callable[[Callable[[], Any]], Any]:
    """Register a function building a whole app (raw ASGI, Starlette, lifespan, several routes)."""

    def register(build: Callable[[], Any]) -> Callable[[], Any]:
        CASES.append(Case(id, checks, build, tuple(script), **options))
        return build

    return register


# --- handshake ------------------------------------------------------------------------


@case("hs-echo-text", "accept, echo one text message, client closes", SendText("hi"), Recv(), Close())
async def hs_echo_text(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(f"echo {text}")


@case("hs-echo-bytes", "accept, echo one binary message", SendBytes(b"\x00\xff"), Recv(), Close())
async def hs_echo_bytes(websocket: WebSocket) -> None:
    await websocket.accept()
    async for data in websocket.iter_bytes():
        await websocket.send_bytes(data[::-1])


@case("hs-echo-json", "receive_json / send_json round trip",
      SendText('{"a": [1, 2]}'), Recv(), Close())
async def hs_echo_json(websocket: WebSocket) -> None:
    await websocket.accept()
    async for value in websocket.iter_json():
        await websocket.send_json({"got": value, "é": "ü"})


@case("hs-path-param", "a path parameter reaches the endpoint", Recv(), Close(),
      route="/items/{item_id}/ws", path="/items/abc/ws")
@case("hs-path-param-escaped", "a percent-escaped path parameter (abc%20d)", Recv(), Close(),
      route="/items/{item_id}/ws", path="/items/abc%20d/ws")
async def hs_path_param(websocket: WebSocket, item_id: str) -> None:
    await websocket.accept()
    await websocket.send_text(f"item {item_id}")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("hs-query-param", "an int query parameter and an absent optional one", Recv(), Close(),
      query="q=5")
async def hs_query_param(websocket: WebSocket, q: int, other: str | None = None) -> None:
    await websocket.accept()
    await websocket.send_text(f"q={q!r} other={other!r}")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("hs-url-path", "websocket.url.path and query as the endpoint sees them", Recv(), Close(),
      query="x=1&y=%C3%A9")
async def hs_url_path(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(f"{websocket.url.path}?{websocket.url.query} {dict(websocket.query_params)}")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("hs-url-scheme", "websocket.url.scheme (ws for a real server)", Recv(), Close())
async def hs_url_scheme(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(websocket.url.scheme)
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("hs-client-host", "websocket.client.host", Recv(), Close())
async def hs_client_host(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(websocket.client.host if websocket.client else "none")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("hs-accept-after-receive", "accept after explicitly receiving websocket.connect", SendText("x"), Recv(), Close())
async def hs_accept_after_receive(websocket: WebSocket) -> None:
    message = await websocket.receive()
    await websocket.accept()
    await websocket.send_text(message["type"])
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("hs-slow-accept", "accept after 0.1 s of work", SendText("x"), Recv(), Close())
async def hs_slow_accept(websocket: WebSocket) -> None:
    await asyncio.sleep(0.1)
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(text)


# --- refusal ----------------------------------------------------------------------------


@case("refuse-close-1008", "close(1008) before accept: a real client sees HTTP 403")
async def refuse_close_1008(websocket: WebSocket) -> None:
    await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="no token")


@case("refuse-close-default", "close() before accept with the default code")
async def refuse_close_default(websocket: WebSocket) -> None:
    await websocket.close()


@case("refuse-ws-exception", "WebSocketException(1008) raised in the endpoint before accept")
async def refuse_ws_exception(websocket: WebSocket) -> None:
    raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION, reason="go away")


@case("refuse-http-exception", "HTTPException(401) raised before accept (FastAPI answers a denial response)")
async def refuse_http_exception(websocket: WebSocket) -> None:
    raise HTTPException(status_code=401, detail="who are you")


@case("refuse-no-route", "no WebSocket route matches the path", path="/nope")
async def refuse_no_route(websocket: WebSocket) -> None:
    await websocket.accept()


@app_case("refuse-http-route-only", "the path has an HTTP route only", path="/ws")
def refuse_http_route_only() -> FastAPI:
    app = FastAPI()

    @app.get("/ws")
    def page() -> dict[str, str]:
        return {"hello": "http"}

    return app


@case("refuse-denial-response", "send_denial_response(401 with a body)")
async def refuse_denial_response(websocket: WebSocket) -> None:
    await websocket.send_denial_response(PlainTextResponse("nope", status_code=401))


@case("refuse-return-without-accept", "the endpoint returns without accepting or closing")
async def refuse_return_without_accept(websocket: WebSocket) -> None:
    return None


@case("refuse-raise-before-accept", "ValueError before accept")
async def refuse_raise_before_accept(websocket: WebSocket) -> None:
    raise ValueError("not ready")


@case("refuse-missing-query", "a required query parameter is missing (FastAPI closes 1008 before accept)")
async def refuse_missing_query(websocket: WebSocket, token: str) -> None:
    await websocket.accept()
    await websocket.send_text(token)


@case("refuse-bad-query-type", "q=abc for an int parameter", query="q=abc")
async def refuse_bad_query_type(websocket: WebSocket, q: int) -> None:
    await websocket.accept()
    await websocket.send_text(str(q))


@case("refuse-close-custom-reason", "close(4001, reason) before accept")
async def refuse_close_custom_reason(websocket: WebSocket) -> None:
    await websocket.close(code=4001, reason="x" * 10)


# --- accept / close ordering, exceptions around them ----------------------------------


@case("order-close-1000-bye", "accept, close(1000, 'bye'), return", Recv())
async def order_close_1000_bye(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.close(code=1000, reason="bye")


@case("order-return-without-close", "accept, send, return without closing (uvicorn drops TCP: 1006)", Recv(), Recv())
async def order_return_without_close(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello")


@case("order-raise-after-accept", "ValueError after accept (uvicorn: 1006 and a logged exception)", Recv())
async def order_raise_after_accept(websocket: WebSocket) -> None:
    await websocket.accept()
    raise ValueError("boom")


@case("order-raise-after-send", "a frame, then KeyError", Recv(), Recv())
async def order_raise_after_send(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("first")
    raise KeyError("type")


@case("order-http-exception-after-accept", "HTTPException after accept", Recv())
async def order_http_exception_after_accept(websocket: WebSocket) -> None:
    await websocket.accept()
    raise HTTPException(status_code=400, detail="bad")


@case("order-ws-exception-after-accept", "WebSocketException(1008) after accept closes with 1008", Recv())
async def order_ws_exception_after_accept(websocket: WebSocket) -> None:
    await websocket.accept()
    raise WebSocketException(code=1008, reason="policy")


@case("order-double-accept", "accept twice", Recv())
async def order_double_accept(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.accept()


@case("order-send-before-accept", "send_text before accept")
async def order_send_before_accept(websocket: WebSocket) -> None:
    await websocket.send_text("too early")


@case("order-close-twice", "close, then close again", Recv())
async def order_close_twice(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.close(code=1000)
    await websocket.close(code=1000)


@case("order-send-after-close", "close, then send_text", Recv())
async def order_send_after_close(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.close(code=1001, reason="going")
    await websocket.send_text("after")


@case("order-receive-after-close", "close, then receive_text", Recv())
async def order_receive_after_close(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.close()
    await websocket.receive_text()


@case("order-close-in-finally", "one message, then close in finally (client still there)", SendText("one"), Recv(),
      Recv())
async def order_close_in_finally(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        text = await websocket.receive_text()
        await websocket.send_text(text.upper())
    finally:
        await websocket.close(code=1000, reason="done")


@case("order-accept-close-race", "accept, close 50 ms later; the client's message is never read", SendText("x"), Recv())
async def order_accept_close_race(websocket: WebSocket) -> None:
    await websocket.accept()
    await asyncio.sleep(0.05)
    await websocket.close(code=1000)


# --- the client left ----------------------------------------------------------------------


@case("left-iter-text", "async for over iter_text ends quietly when the client closes", SendText("a"), Recv(), Close())
async def left_iter_text(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(text)


@case("left-uncaught-disconnect", "receive_text in a loop, WebSocketDisconnect escapes", SendText("a"), Recv(), Close())
async def left_uncaught_disconnect(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        text = await websocket.receive_text()
        await websocket.send_text(text)


@case("left-caught-return", "except WebSocketDisconnect: return", SendText("a"), Recv(), Close())
async def left_caught_return(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        return


@case("left-close-in-except", "await websocket.close() right inside except WebSocketDisconnect", Close())
async def left_close_in_except(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        await websocket.receive_text()
    except WebSocketDisconnect:
        await websocket.close()


@case("left-close-in-except-after-await", "except WebSocketDisconnect: an await, then close()", Close())
async def left_close_in_except_after_await(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        await websocket.receive_text()
    except WebSocketDisconnect:
        await asyncio.sleep(0)
        await websocket.close()


@case("left-close-in-finally-after-await", "finally: an await (a broadcast), then close() after the client left",
      Close())
async def left_close_in_finally_after_await(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        async for _ in websocket.iter_text():
            pass
    finally:
        await asyncio.sleep(0.01)
        await websocket.close()


@case("left-close-in-finally", "finally: close() at once after iter_text ended", Close())
async def left_close_in_finally(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        async for _ in websocket.iter_text():
            pass
    finally:
        await websocket.close()


@case("left-close-in-except-late", "the client left while the endpoint slept; receive, then close() at once", Close())
async def left_close_in_except_late(websocket: WebSocket) -> None:
    await websocket.accept()
    await asyncio.sleep(0.1)
    try:
        await websocket.receive_text()
    except WebSocketDisconnect:
        await websocket.close()


@case("left-slow-echo-backlog", "two messages and a close at once to a slow echo (each reply 50 ms later)",
      SendText("a"), SendText("b"), Close())
async def left_slow_echo_backlog(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        await asyncio.sleep(0.05)
        await websocket.send_text(text)


@case("left-send-guarded-return", "a reply to a client that left meanwhile, guarded, then return",
      SendText("x"), Close())
async def left_send_guarded_return(websocket: WebSocket) -> None:
    await websocket.accept()
    text = await websocket.receive_text()
    await asyncio.sleep(0.1)
    try:
        await websocket.send_text(text)
    except WebSocketDisconnect:
        return


@case("left-send-guarded-loop", "guarded reply to a departed client, then the loop receives again",
      SendText("x"), Close())
async def left_send_guarded_loop(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        try:
            text = await websocket.receive_text()
        except WebSocketDisconnect:
            break
        await asyncio.sleep(0.1)
        try:  # noqa: SIM105 - the learner's idiom, on purpose
            await websocket.send_text(text)
        except WebSocketDisconnect:
            pass


@case("left-send-guarded-broad", "a reply to a departed client inside try/except Exception", SendText("x"), Close())
async def left_send_guarded_broad(websocket: WebSocket) -> None:
    await websocket.accept()
    text = await websocket.receive_text()
    await asyncio.sleep(0.1)
    with contextlib.suppress(Exception):
        await websocket.send_text(text)


@case("left-send-unguarded", "a reply to a departed client, unguarded", SendText("x"), Close())
async def left_send_unguarded(websocket: WebSocket) -> None:
    await websocket.accept()
    text = await websocket.receive_text()
    await asyncio.sleep(0.1)
    await websocket.send_text(text)


@case("left-send-in-except", "send_text inside except WebSocketDisconnect", Close())
async def left_send_in_except(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        await websocket.receive_text()
    except WebSocketDisconnect:
        await websocket.send_text("bye")


@case("left-receive-after-disconnect", "receive_text again after WebSocketDisconnect was caught", Close())
async def left_receive_after_disconnect(websocket: WebSocket) -> None:
    await websocket.accept()
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()
    await websocket.receive_text()


@case("left-code-4001", "the endpoint sees the client's close code 4001 (raises if not)", Close(4001))
async def left_code_4001(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        await websocket.receive_text()
    except WebSocketDisconnect as gone:
        if gone.code != 4001:
            raise RuntimeError(f"disconnect code {gone.code}, not 4001") from None


@case("left-code-1000", "the endpoint sees the client's close code 1000 (raises if not)", Close(1000))
async def left_code_1000(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        await websocket.receive_text()
    except WebSocketDisconnect as gone:
        if gone.code != 1000:
            raise RuntimeError(f"disconnect code {gone.code}, not 1000") from None


@case("left-ignores-disconnect", "the endpoint sleeps 1.5 s after the client left: still running after 1 s",
      Close(), own_server=True, budget=1.5)
async def left_ignores_disconnect(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        await websocket.receive_text()
    except WebSocketDisconnect:
        await asyncio.sleep(1.5)


# --- invalid message types -----------------------------------------------------------------


@case("type-send-text-int", "send_text(42)", Recv())
async def type_send_text_int(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(42)  # type: ignore[arg-type]


@case("type-send-bytes-str", 'send_bytes("str")', Recv())
async def type_send_bytes_str(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_bytes("str")  # type: ignore[arg-type]


@case("type-send-bytearray", "send_bytes(bytearray)", Recv(), Close())
async def type_send_bytearray(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_bytes(bytearray(b"abc"))  # type: ignore[arg-type]
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("type-send-json-unserializable", "send_json of an object json cannot encode", Recv())
async def type_send_json_unserializable(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json({"when": object()})


@case("type-send-json-binary", "send_json(mode='binary') sends a binary frame", Recv(), Close())
async def type_send_json_binary(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json({"a": 1}, mode="binary")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("type-send-neither", "a websocket.send message with neither text nor bytes", Recv(0.2), Close())
async def type_send_neither(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send({"type": "websocket.send"})
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("type-send-both", "a websocket.send message with both text and bytes", Recv(), Close())
async def type_send_both(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send({"type": "websocket.send", "text": "as text", "bytes": b"as bytes"})
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("type-send-surrogate", "send_text with a lone surrogate", Recv())
async def type_send_surrogate(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("bad \ud800")


@case("type-unknown-message", "an unknown ASGI message type after accept", Recv())
async def type_unknown_message(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send({"type": "websocket.bogus"})


@case("type-receive-text-gets-bytes", "receive_text when the client sent bytes", SendBytes(b"\x01"), Recv())
async def type_receive_text_gets_bytes(websocket: WebSocket) -> None:
    await websocket.accept()
    text = await websocket.receive_text()
    await websocket.send_text(text)


@case("type-receive-bytes-gets-text", "receive_bytes when the client sent text", SendText("t"), Recv())
async def type_receive_bytes_gets_text(websocket: WebSocket) -> None:
    await websocket.accept()
    data = await websocket.receive_bytes()
    await websocket.send_bytes(data)


@case("type-receive-json-invalid", "receive_json on text that is not JSON", SendText("{nope"), Recv())
async def type_receive_json_invalid(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json(await websocket.receive_json())


@case("type-mixed-receive", "receive() tells text from bytes", SendText("t"), SendBytes(b"b"), SendText(""),
      SendBytes(b""), Recv(), Recv(), Recv(), Recv(), Close())
async def type_mixed_receive(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is not None:
            await websocket.send_text(f"text {message['text']!r}")
        else:
            await websocket.send_bytes(b"bytes " + message["bytes"])


@case("type-unicode-echo", "non-ASCII text round trip", SendText("안녕 ü 🎉"), Recv(), Close())
async def type_unicode_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(text * 2)


# --- close codes and reasons ----------------------------------------------------------------


def _closing(code: int, reason: str | None = None) -> Callable[[WebSocket], Any]:
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.close(code=code, reason=reason)

    return endpoint


for _id, _checks, _code, _reason in [
    ("close-4000-custom", "close(4000, 'custom')", 4000, "custom"),
    ("close-1001", "close(1001) going away", 1001, None),
    ("close-3000", "close(3000) (registered range)", 3000, "three"),
    ("close-4999", "close(4999), the highest private code", 4999, None),
    ("close-reason-123-bytes", "a close reason of exactly 123 bytes", 1000, "r" * 123),
    ("close-reason-124-bytes", "a close reason of 124 bytes (over the limit)", 1000, "r" * 124),
    ("close-reason-unicode", "a close reason of 41 three-byte characters (123 bytes)", 1000, "한" * 41),
    ("close-reason-unicode-long", "a close reason of 42 three-byte characters (126 bytes)", 1000, "한" * 42),
    ("close-1006", "close(code=1006), a code no frame may carry", 1006, None),
    ("close-1005", "close(code=1005), a code no frame may carry", 1005, None),
    ("close-1015", "close(code=1015), a code no frame may carry", 1015, None),
    ("close-999", "close(code=999), below the valid range", 999, None),
    ("close-5000", "close(code=5000), above the valid range", 5000, None),
    ("close-1004", "close(code=1004), reserved", 1004, None),
]:
    case(_id, _checks, Recv())(_closing(_code, _reason))


@case("close-reason-not-str", "close with a reason that is a list (as FastAPI's validation handler does)", Recv())
async def close_reason_not_str(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.close(code=1008, reason=[{"loc": "q"}])  # type: ignore[arg-type]


# --- subprotocols ----------------------------------------------------------------------------


@case("sub-offered", "the server picks the first subprotocol the client offered", Recv(), Close(),
      subprotocols=("chat", "json"))
async def sub_offered(websocket: WebSocket) -> None:
    await websocket.accept(subprotocol=websocket.scope["subprotocols"][0])
    await websocket.send_text("ok")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("sub-list-seen", "scope['subprotocols'] as the endpoint sees it", Recv(), Close(),
      subprotocols=("chat", "json"))
async def sub_list_seen(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(json.dumps(websocket.scope["subprotocols"]))
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("sub-not-offered", "the server accepts a subprotocol the client did not offer", Recv(),
      subprotocols=("chat",))
async def sub_not_offered(websocket: WebSocket) -> None:
    await websocket.accept(subprotocol="superchat")
    async for _ in websocket.iter_text():
        pass


@case("sub-none-offered", "the server picks a subprotocol when the client offered none", Recv())
async def sub_none_offered(websocket: WebSocket) -> None:
    await websocket.accept(subprotocol="chat")
    async for _ in websocket.iter_text():
        pass


@case("sub-declined", "the client offers one, the server accepts with none", Recv(), Close(), subprotocols=("chat",))
async def sub_declined(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("plain")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


# --- headers ---------------------------------------------------------------------------------


@case("hdr-accept-bytes", "accept(headers=[(bytes, bytes)]) reaches the client", Recv(), Close(),
      want_headers=("x-server",))
async def hdr_accept_bytes(websocket: WebSocket) -> None:
    await websocket.accept(headers=[(b"x-server", b"yes")])
    await websocket.send_text("ok")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("hdr-accept-subprotocol-and-headers", "accept with a subprotocol and extra headers", Recv(), Close(),
      subprotocols=("chat",), want_headers=("x-a", "sec-websocket-protocol"))
async def hdr_accept_subprotocol_and_headers(websocket: WebSocket) -> None:
    await websocket.accept(subprotocol="chat", headers=[(b"x-a", b"1")])
    await websocket.send_text("ok")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("hdr-accept-str", "accept(headers=[(str, str)])", Recv(), Close(), want_headers=("x-server",))
async def hdr_accept_str(websocket: WebSocket) -> None:
    await websocket.accept(headers=[("x-server", "yes")])  # type: ignore[list-item]
    await websocket.send_text("ok")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("hdr-request-header", "a request header read with Header()", Recv(), Close(), headers=(("X-Token", "abc"),))
async def hdr_request_header(websocket: WebSocket, x_token: str = Header()) -> None:
    await websocket.accept()
    await websocket.send_text(f"{x_token} {websocket.headers.get('x-token')}")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("hdr-cookie", "a cookie read with Cookie()", Recv(), Close(), headers=(("Cookie", "session=s1; other=o"),))
async def hdr_cookie(websocket: WebSocket, session: str | None = Cookie(default=None)) -> None:
    await websocket.accept()
    await websocket.send_text(f"{session} {sorted(websocket.cookies)}")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("hdr-upgrade-headers", "the upgrade headers the endpoint sees", Recv(), Close())
async def hdr_upgrade_headers(websocket: WebSocket) -> None:
    await websocket.accept()
    seen = {name: websocket.headers.get(name) for name in ("upgrade", "sec-websocket-version")}
    await websocket.send_text(json.dumps(seen))
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


# --- message size limits -----------------------------------------------------------------------


async def _lengths(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("bytes") if message.get("bytes") is not None else message.get("text", "")
        await websocket.send_text(f"length {len(data)}")


case("size-1mib", "a 1 MiB binary message from the client", SendBytes(b"a" * MIB), Recv(), Close())(_lengths)
# Receives wait long: the frame or the close ends them at once, only a loaded machine waits longer.
case("size-16mib", "a 16 MiB binary message (uvicorn's ws_max_size exactly)", SendBytes(b"b" * (16 * MIB)), Recv(30),
     Close(), budget=1.5)(_lengths)
case("size-17mib", "a 17 MiB binary message from the client (over ws_max_size)", SendBytes(b"c" * (17 * MIB)),
     Recv(30), Close(), budget=1.5, tcp_reset_race=True)(_lengths)
case("size-17mib-text", "a 17 MiB text message from the client", SendText("d" * (17 * MIB)), Recv(30), Close(),
     budget=1.5, tcp_reset_race=True)(_lengths)


@case("size-server-17mib", "a 17 MiB message from the server (no limit on sending)", Recv(30), Close(), budget=1.5)
async def size_server_17mib(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_bytes(b"e" * (17 * MIB))
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


# --- many queued frames --------------------------------------------------------------------------


def _burst(count: int) -> Callable[[WebSocket], Any]:
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        for number in range(count):
            await websocket.send_text(str(number))
        await websocket.close(code=1000, reason="all sent")

    return endpoint


# Generous drains: they end as soon as the close arrives, and only a slow machine waits longer.
case("queue-500", "500 frames queued before the client reads", Wait(0.1), drain=30.0)(_burst(500))
# The client reads nothing for 3 s while the endpoint sends (uvicorn: backpressure, then everything arrives).
case("queue-20000", "20 000 frames sent while the client reads nothing for 3 s", Wait(3.0), drain=60.0,
     budget=4.0)(_burst(20_000))


# --- lifespan ------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _greeting_lifespan(app: FastAPI) -> AsyncIterator[dict[str, str]]:
    yield {"greeting": "hello from lifespan"}


async def _greet(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(websocket.state.greeting)
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@app_case("life-state", "lifespan yields {'greeting': ...}, read as websocket.state.greeting", Recv(), Close(),
          lifespan=True)
def life_state() -> FastAPI:
    app = FastAPI(lifespan=_greeting_lifespan)
    app.add_api_websocket_route("/ws", _greet)
    return app


@contextlib.asynccontextmanager
async def _app_state_lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.ready = "set at startup"
    yield


async def _read_app_state(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(getattr(websocket.app.state, "ready", "missing"))
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@app_case("life-app-state", "lifespan sets app.state.ready, read as websocket.app.state.ready", Recv(), Close(),
          lifespan=True)
def life_app_state() -> FastAPI:
    app = FastAPI(lifespan=_app_state_lifespan)
    app.add_api_websocket_route("/ws", _read_app_state)
    return app


@app_case("life-state-copy", "a connection's state is a copy: a change does not reach the next read", Recv(), Close(),
          lifespan=True)
def life_state_copy() -> FastAPI:
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        websocket.state.greeting = "changed"
        await websocket.send_text(f"{websocket.scope['state']['greeting']} {websocket.app.state.counter['n']}")
        with contextlib.suppress(WebSocketDisconnect):
            await websocket.receive_text()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, str]]:
        app.state.counter = {"n": 1}
        yield {"greeting": "original"}

    app = FastAPI(lifespan=lifespan)
    app.add_api_websocket_route("/ws", endpoint)
    return app


# --- server push -----------------------------------------------------------------------------------


@case("push-three-then-close", "three pushed frames 50 ms apart, then close(1000)", Recv(), Recv(), Recv(), Recv())
async def push_three_then_close(websocket: WebSocket) -> None:
    await websocket.accept()
    for number in range(3):
        await websocket.send_json({"tick": number})
        await asyncio.sleep(0.05)
    await websocket.close(code=1000, reason="done")


@case("push-wrapped", "a correct push loop in try/except WebSocketDisconnect; the client leaves", Recv(), Recv(),
      Close())
async def push_wrapped(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text("tick")
            await asyncio.sleep(0.05)
    except WebSocketDisconnect:
        pass


@case("push-unwrapped", "a push loop without try/except; the client leaves", Recv(), Recv(), Close())
async def push_unwrapped(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        await websocket.send_text("tick")
        await asyncio.sleep(0.05)


@case("push-close-in-except", "a push loop; on WebSocketDisconnect (from send) it calls close()", Recv(), Close())
async def push_close_in_except(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text("tick")
            await asyncio.sleep(0.05)
    except WebSocketDisconnect:
        await websocket.close()


@case("push-with-reader", "push and read concurrently; the reader ends both when the client leaves", Recv(), Recv(),
      Close())
async def push_with_reader(websocket: WebSocket) -> None:
    await websocket.accept()

    async def push() -> None:
        while True:
            await websocket.send_text("tick")
            await asyncio.sleep(0.05)

    pusher = asyncio.ensure_future(push())
    try:
        async for _ in websocket.iter_text():
            pass
    finally:
        pusher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pusher


@case("push-heartbeat", "wait_for(receive_text, 0.1): a heartbeat on idle", Recv(), SendText("x"), Recv(), Recv(),
      Close())
async def push_heartbeat(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        try:
            text = await asyncio.wait_for(websocket.receive_text(), 0.1)
        except TimeoutError:
            await websocket.send_text("heartbeat")
            continue
        except WebSocketDisconnect:
            return
        await websocket.send_text(f"got {text}")


# --- dependencies -------------------------------------------------------------------------------------


async def _broken_dependency() -> str:
    raise ValueError("dependency broke")


async def _refusing_dependency() -> str:
    raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION)


async def _http_refusing_dependency() -> str:
    raise HTTPException(status_code=403, detail="forbidden")


async def _yield_dependency_raises_late() -> AsyncIterator[str]:
    yield "value"
    raise RuntimeError("cleanup broke")


async def _yield_dependency_clean() -> AsyncIterator[str]:
    yield "value"


@case("dep-raises", "a dependency raises ValueError (before accept)")
async def dep_raises(websocket: WebSocket, value: str = Depends(_broken_dependency)) -> None:
    await websocket.accept()


@case("dep-ws-exception", "a dependency raises WebSocketException(1008)")
async def dep_ws_exception(websocket: WebSocket, value: str = Depends(_refusing_dependency)) -> None:
    await websocket.accept()


@case("dep-http-exception", "a dependency raises HTTPException(403)")
async def dep_http_exception(websocket: WebSocket, value: str = Depends(_http_refusing_dependency)) -> None:
    await websocket.accept()


@case("dep-yield-cleanup-raises", "a yield dependency raises in its cleanup after the endpoint closed", Recv())
async def dep_yield_cleanup_raises(websocket: WebSocket, value: str = Depends(_yield_dependency_raises_late)) -> None:
    await websocket.accept()
    await websocket.send_text(value)
    await websocket.close()


@case("dep-yield-clean", "a yield dependency, endpoint echoes until the client leaves", SendText("x"), Recv(), Close())
async def dep_yield_clean(websocket: WebSocket, value: str = Depends(_yield_dependency_clean)) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(f"{value} {text}")


@case("dep-query-in-dependency", "a dependency reads a required query parameter that is missing")
async def dep_query_in_dependency(websocket: WebSocket, token: str = Depends(lambda token=Query(): token)) -> None:  # noqa: B008
    await websocket.accept()


# --- the rest -----------------------------------------------------------------------------------------


@app_case("misc-raw-asgi-echo", "a raw ASGI app: accept, echo, close", SendText("raw"), Recv(), Recv())
def misc_raw_asgi_echo() -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        await receive()
        await send({"type": "websocket.accept"})
        message = await receive()
        await send({"type": "websocket.send", "text": message.get("text")})
        await send({"type": "websocket.close", "code": 1000})

    return app


@app_case("misc-raw-asgi-returns-value", "a raw ASGI app returns a value after closing", Recv())
def misc_raw_asgi_returns_value() -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> Any:
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": 1000})
        return 42

    return app


@app_case("misc-raw-asgi-close-no-code", "a raw ASGI websocket.close without a code", Recv())
def misc_raw_asgi_close_no_code() -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close"})

    return app


@app_case("misc-starlette-route", "a plain Starlette app with a WebSocketRoute", SendText("s"), Recv(), Close())
def misc_starlette_route() -> Starlette:
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text(f"starlette {text}")

    return Starlette(routes=[WebSocketRoute("/ws", endpoint)])


@app_case("misc-two-routes", "the second of two routes is picked by path", Recv(), Close(), path="/b")
def misc_two_routes() -> FastAPI:
    app = FastAPI()

    @app.websocket("/a")
    async def first(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("a")

    @app.websocket("/b")
    async def second(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("b")
        with contextlib.suppress(WebSocketDisconnect):
            await websocket.receive_text()

    return app


@case("misc-empty-messages", "empty text and empty binary frames", SendText(""), SendBytes(b""), Recv(), Recv(),
      Close())
async def misc_empty_messages(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(await websocket.receive_text())
    await websocket.send_bytes(await websocket.receive_bytes())
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("misc-silence", "an endpoint that says nothing: the client hears silence, then leaves", Recv(0.2), Close())
async def misc_silence(websocket: WebSocket) -> None:
    await websocket.accept()
    async for _ in websocket.iter_text():
        pass


@case("misc-sync-sleep-short", "a blocking time.sleep(0.05) in the endpoint (short enough to pass)", SendText("x"),
      Recv(), Close())
async def misc_sync_sleep_short(websocket: WebSocket) -> None:
    import time

    await websocket.accept()
    async for text in websocket.iter_text():
        time.sleep(0.05)
        await websocket.send_text(text)


@case("misc-cancelled-error", "the endpoint raises asyncio.CancelledError itself", Recv())
async def misc_cancelled_error(websocket: WebSocket) -> None:
    await websocket.accept()
    raise asyncio.CancelledError()


@case("misc-system-exit", "sys.exit() in the endpoint after accept", Recv())
async def misc_system_exit(websocket: WebSocket) -> None:
    await websocket.accept()
    raise SystemExit(3)


# --- quiet windows: what ends a wait for nothing --------------------------------------------------


@case("quiet-frame-then-return", "inside a quiet window a frame comes at 0.5 s, then the endpoint returns", Recv(1.0),
      Recv(1.0), budget=1.5)
async def quiet_frame_then_return(websocket: WebSocket) -> None:
    await websocket.accept()
    await asyncio.sleep(0.5)
    await websocket.send_text("x")


@case("quiet-frame-keeps-running", "a frame at 0.5 s inside a quiet window, the endpoint keeps running", Recv(1.0),
      Recv(0.3), Close(), budget=1.5)
async def quiet_frame_keeps_running(websocket: WebSocket) -> None:
    await websocket.accept()
    await asyncio.sleep(0.5)
    await websocket.send_text("x")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("quiet-close-inside", "a close at 0.5 s inside a quiet window", Recv(1.0), budget=1.5)
async def quiet_close_inside(websocket: WebSocket) -> None:
    await websocket.accept()
    await asyncio.sleep(0.5)
    await websocket.close(4001, "bye")


@case("quiet-return-inside", "the endpoint returns at 0.5 s inside a quiet window, no close frame", Recv(1.0),
      budget=1.5)
async def quiet_return_inside(websocket: WebSocket) -> None:
    await websocket.accept()
    await asyncio.sleep(0.5)


@case("quiet-raise-inside", "the endpoint raises at 0.5 s inside a quiet window", Recv(1.0), budget=1.5)
async def quiet_raise_inside(websocket: WebSocket) -> None:
    await websocket.accept()
    await asyncio.sleep(0.5)
    raise ValueError("boom")


@case("quiet-frame-then-close", "a frame and a close at 0.5 s inside a quiet window: the frame first", Recv(1.0),
      Recv(1.0), budget=1.5)
async def quiet_frame_then_close(websocket: WebSocket) -> None:
    await websocket.accept()
    await asyncio.sleep(0.5)
    await websocket.send_text("x")
    await websocket.close(1000, "done")


# --- the clocks: real work moves them, waiting is skipped -------------------------------------------


def _within(value: float, low: float, high: float) -> str:
    return "ok" if low <= value < high else f"{value:.3f} not in [{low}, {high})"


@case("clock-thread-sleep-vs-timers", "a to_thread sleep of 0.2 s between the loop's timers at 0.1 s and 0.3 s",
      Recv(), Close(), budget=1.0)
async def clock_thread_sleep_vs_timers(websocket: WebSocket) -> None:
    import time

    await websocket.accept()
    loop = asyncio.get_running_loop()
    order: list[str] = []
    loop.call_later(0.1, order.append, "timer 0.1")
    loop.call_later(0.3, order.append, "timer 0.3")
    await asyncio.to_thread(time.sleep, 0.2)
    order.append("thread 0.2")
    await asyncio.sleep(0.2)
    await websocket.send_text(", ".join(order))
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("clock-threadpool-sleep", "run_in_threadpool(time.sleep, 0.2) moves loop.time() and anyio's clock by 0.2 s",
      Recv(), Close(), budget=1.0)
async def clock_threadpool_sleep(websocket: WebSocket) -> None:
    import time

    import anyio
    from starlette.concurrency import run_in_threadpool

    await websocket.accept()
    loop = asyncio.get_running_loop()
    start, anyio_start = loop.time(), anyio.current_time()
    await run_in_threadpool(time.sleep, 0.2)
    await websocket.send_text(_within(loop.time() - start, 0.2, 0.45) + " " + _within(anyio.current_time() - anyio_start,
                                                                                      0.2, 0.45))
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("clock-blocking-sleep", "a blocking time.sleep(0.3) in the endpoint moves loop.time() by 0.3 s", Recv(),
      Close(), budget=1.0)
async def clock_blocking_sleep(websocket: WebSocket) -> None:
    import time

    await websocket.accept()
    loop = asyncio.get_running_loop()
    start = loop.time()
    time.sleep(0.3)
    await websocket.send_text(_within(loop.time() - start, 0.3, 0.55))
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("clock-spin-on-loop-time", "a busy spin of 0.2 s on loop.time() ends", Recv(), Close(), budget=1.0)
async def clock_spin_on_loop_time(websocket: WebSocket) -> None:
    await websocket.accept()
    loop = asyncio.get_running_loop()
    start = loop.time()
    while loop.time() - start < 0.2:
        pass
    await websocket.send_text("spun")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("clock-sleep-is-exact-enough", "asyncio.sleep(0.5) moves loop.time() and anyio's clock by 0.5 s", Recv(), Close(),
      budget=1.0)
async def clock_sleep_is_exact_enough(websocket: WebSocket) -> None:
    import anyio

    await websocket.accept()
    loop = asyncio.get_running_loop()
    start, anyio_start = loop.time(), anyio.current_time()
    await asyncio.sleep(0.5)
    await websocket.send_text(_within(loop.time() - start, 0.5, 0.6) + " " + _within(anyio.current_time() - anyio_start,
                                                                                      0.5, 0.6))
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


@case("clock-busy-poll", "ticks polled with loop.time() around asyncio.sleep(0), every 0.2 s", Recv(), Recv(), Recv(0.1),
      Close(), budget=1.0)
async def clock_busy_poll(websocket: WebSocket) -> None:
    await websocket.accept()
    loop = asyncio.get_running_loop()
    last, ticks = loop.time(), 0
    while ticks < 2:
        if loop.time() - last >= 0.2:
            last, ticks = loop.time(), ticks + 1
            await websocket.send_text(f"tick {ticks}")
        await asyncio.sleep(0)
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


# --- the scope -------------------------------------------------------------------------------------


@case("scope-server-and-host", "the server, Host header, client address and url_for the app sees", Recv(), Close())
async def scope_server_and_host(websocket: WebSocket) -> None:
    await websocket.accept()
    host, port = websocket.scope["server"]
    client = websocket.client
    assert client is not None

    def shown(url: object) -> str:
        return str(url).replace(f":{port}", ":PORT")

    await websocket.send_json({
        "server": [host, isinstance(port, int)],
        "host_header": websocket.headers["host"] == f"{host}:{port}",
        "url": shown(websocket.url),
        "url_for": shown(websocket.url_for("scope_server_and_host")),
        "client": [client.host, isinstance(client.port, int) and client.port > 1024 and client.port != port],
        "scheme": websocket.scope["scheme"],
        "http_version": websocket.scope["http_version"],
    })
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()


# --- handshake failures a spec can expect -------------------------------------------------------------


async def _close_without_token(websocket: WebSocket, token: str | None = Query(None)) -> str | None:
    # FastAPI's older cookie/token example: the dependency closes, and the endpoint goes on.
    if token is None:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
    return token


@case("hsfail-close-in-dependency-then-accept", "close 1008 in a dependency, then accept() in the endpoint: HTTP 403")
async def hsfail_close_in_dependency_then_accept(websocket: WebSocket,
                                                 token: str | None = Depends(_close_without_token)) -> None:
    await websocket.accept()
    await websocket.send_text(f"token {token}")


@case("hsfail-close-in-dependency-with-token", "the same endpoint with its token: accepted", Recv(), query="token=t")
async def hsfail_close_in_dependency_with_token(websocket: WebSocket,
                                                token: str | None = Depends(_close_without_token)) -> None:
    await websocket.accept()
    await websocket.send_text(f"token {token}")
    await websocket.close()


@case("hsfail-sleep-then-return", "the endpoint waits 0.3 s, then returns without accepting: HTTP 500", budget=1.0)
async def hsfail_sleep_then_return(websocket: WebSocket) -> None:
    await asyncio.sleep(0.3)


@case("hsfail-sleep-then-raise", "the endpoint waits 0.3 s, then raises before accepting: HTTP 500", budget=1.0)
async def hsfail_sleep_then_raise(websocket: WebSocket) -> None:
    await asyncio.sleep(0.3)
    raise RuntimeError("not ready")


# --- raw frames: what real clients can send (asserted under both protocols) -------------------
#
# Each endpoint notes what it heard (app.state.heard), compared as the ``app`` field. ``wsproto=``
# lists where uvicorn's wsproto protocol shows otherwise than websockets-sansio (the default, which
# the grader mirrors): wsproto fails a connection without a close frame (the client sees 1006) and
# words the reasons its own way.

_NOT_UTF8 = "'utf-8' codec can't decode byte 0x{byte} in position 0: invalid {what} byte"


def _heard(websocket: WebSocket, what: str) -> None:
    websocket.app.state.heard.append(what)


def _what_it_heard(app: Any) -> str:
    return "; ".join(app.state.heard) or "nothing"


def raw_case(id: str, checks: str, *script: Action, wsproto: dict[str, str] | None = None,
             **options: Any) -> Callable[[Any], Any]:
    """Register ``endpoint`` like :func:`case`, comparing what it heard and asserting wsproto too."""

    def register(endpoint: Any) -> Any:
        def build() -> FastAPI:
            app = FastAPI()
            app.state.heard = []
            app.add_api_websocket_route("/ws", endpoint)
            return app

        CASES.append(Case(id, checks, build, tuple(script), report=_what_it_heard,
                          wsproto=tuple((wsproto or {}).items()), **options))
        return endpoint

    return register


def _closed_without_frame(reason: str, heard: str = "") -> dict[str, str]:
    """wsproto: no close frame (1006), and the endpoint hears the disconnect with wsproto's reason."""
    return {"end": "1006 (no close frame)", **({"app": heard.format(reason=reason)} if heard else {})}


@raw_case("raw-text-not-utf8", "a text frame that is not UTF-8: uvicorn fails the connection with 1007",
          SendText("ok"), Recv(), SendFrame(0x1, b"\xff\xfe"), Recv(),
          wsproto={"end": "1006 (no close frame)", "logged": "nothing",
                   "app": "receive 'ok'; disconnect 1007 " + repr(_NOT_UTF8.format(byte="ff", what="start"))})
@raw_case("raw-fragments-not-utf8", "fragments that are not UTF-8 together: 1007",
          SendFrame(0x1, b"h\xc3", fin=False), SendFrame(0x0, b"A"), Recv(),
          wsproto={"end": "1006 (no close frame)", "logged": "nothing",
                   "app": "disconnect 1007 " + repr(_NOT_UTF8.format(byte="c3", what="continuation"))})
@raw_case("raw-utf8-split-across-fragments", "a character split between two fragments: one message, intact",
          SendFrame(0x1, b"h\xc3", fin=False), SendFrame(0x0, b"\xa9llo"), Recv(), Close(), wsproto={})
@raw_case("raw-fragmented-text", "a text message in three fragments: the endpoint hears one message",
          SendFrame(0x1, b"hel", fin=False), SendFrame(0x0, b"l", fin=False), SendFrame(0x0, b"o"), Recv(), Close(),
          wsproto={})
@raw_case("raw-fragmented-binary", "a binary message in fragments, one of them empty",
          SendFrame(0x2, b"\x00", fin=False), SendFrame(0x0, b"", fin=False), SendFrame(0x0, b"\x01\x02"), Recv(),
          Close(), wsproto={})
@raw_case("raw-ping", "a ping is answered with a pong carrying its payload; the endpoint never hears it",
          Ping(b"hi"), SendText("after"), Recv(), Close(), wsproto={})
@raw_case("raw-ping-empty", "a ping with no payload", Ping(b""), Close(), wsproto={})
@raw_case("raw-ping-between-fragments", "a ping between two fragments of a message is answered at once",
          SendFrame(0x1, b"hel", fin=False), Ping(b"p"), SendFrame(0x0, b"lo"), Recv(), Close(), wsproto={})
@raw_case("raw-pong-unsolicited", "a pong nobody asked for is ignored", SendFrame(0xA, b"x"), SendText("after"), Recv(),
          Close(), wsproto={})
@raw_case("raw-ping-too-long", "a ping of 126 bytes (a control frame holds 125): 1002",
          SendFrame(0x9, b"x" * 126), Recv(),
          wsproto=_closed_without_frame("Control frame with payload len > 125", "disconnect 1002 {reason!r}"))
@raw_case("raw-ping-fragmented", "a ping without FIN: 1002", SendFrame(0x9, b"x", fin=False), Recv(),
          wsproto=_closed_without_frame("Invalid attempt to fragment control frame", "disconnect 1002 {reason!r}"))
@raw_case("raw-continuation-alone", "a continuation frame with no message to continue: 1002",
          SendFrame(0x0, b"x"), Recv(),
          wsproto=_closed_without_frame("unexpected CONTINUATION", "disconnect 1002 {reason!r}"))
@raw_case("raw-text-inside-fragments", "a new text frame before the last fragment of a message: 1002",
          SendFrame(0x1, b"a", fin=False), SendFrame(0x1, b"b"), Recv(),
          wsproto=_closed_without_frame("expected CONTINUATION, got <Opcode.TEXT: 1>", "disconnect 1002 {reason!r}"))
@raw_case("raw-unmasked", "an unmasked client frame: 1002", SendFrame(0x1, b"x", masked=False), Recv(),
          wsproto=_closed_without_frame("server received unexpected unmasked frame", "disconnect 1002 {reason!r}"))
@raw_case("raw-reserved-opcode", "opcode 0x3 (reserved): 1002", SendFrame(0x3, b"x"), Recv(),
          wsproto=_closed_without_frame("Invalid opcode 0x3", "disconnect 1002 {reason!r}"))
@raw_case("raw-reserved-bit", "RSV1 set with no extension agreed: 1002", SendFrame(0x1, b"x", rsv=4), Recv(),
          wsproto=_closed_without_frame("Reserved bit set unexpectedly", "disconnect 1002 {reason!r}"))
@raw_case("raw-close-no-code", "a close frame with no payload: the endpoint hears 1005", CloseRaw(b""), wsproto={})
@raw_case("raw-close-code-and-reason", "a close frame 4000 'bye' written byte by byte",
          CloseRaw(b"\x0f\xa0bye"), wsproto={})
@raw_case("raw-close-one-byte", "a close payload of one byte: the endpoint hears 1002", CloseRaw(b"\x03"),
          wsproto={"app": "disconnect 1002 'CLOSE with 1 byte payload'"})
@raw_case("raw-close-code-999", "close code 999 (not a close code): 1002", CloseRaw(b"\x03\xe7"),
          wsproto={"app": "disconnect 1002 'CLOSE with invalid code'"})
@raw_case("raw-close-code-1005", "close code 1005 (only ever reported, never sent): 1002", CloseRaw(b"\x03\xed"),
          wsproto={"app": "disconnect 1002 'remote CLOSE with local-only reason'"})
@raw_case("raw-close-reason-not-utf8", "a close reason that is not UTF-8: 1007", CloseRaw(b"\x0f\xa0\xff"),
          wsproto={"app": "disconnect 1007 \"Error decoding CLOSE reason: " + _NOT_UTF8.format(byte="ff", what="start")
                          + "\""})
@raw_case("raw-close-inside-fragments", "a close frame before the last fragment of a message",
          SendFrame(0x1, b"a", fin=False), CloseRaw(b"\x03\xe8"),
          wsproto={"app": "disconnect 1000 ''"})
async def raw_listener(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            _heard(websocket, f"disconnect {int(message.get('code', 1000))} {message.get('reason') or ''!r}")
            return
        data = message.get("text") if message.get("text") is not None else message.get("bytes")
        _heard(websocket, f"receive {data!r}")
        await websocket.send_text(f"got {data!r}")


@raw_case("raw-not-utf8-then-close", "the endpoint catches the 1007 disconnect and calls close()",
          SendFrame(0x1, b"\xff"), Recv(),
          wsproto={"end": "1006 (no close frame)", "logged": "nothing", "app": "WebSocketDisconnect 1007; closed"})
async def raw_not_utf8_then_close(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect as exc:
        _heard(websocket, f"WebSocketDisconnect {exc.code}")
        await websocket.close()  # uvicorn has sent its close frame already: this raises
        _heard(websocket, "closed")


@raw_case("raw-not-utf8-then-send", "the endpoint catches the 1007 disconnect and sends",
          SendFrame(0x1, b"\xff"), Recv(),
          wsproto={"end": "1006 (no close frame)", "logged": "nothing", "app": "WebSocketDisconnect 1007"})
async def raw_not_utf8_then_send(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        await websocket.receive_text()
    except WebSocketDisconnect as exc:
        _heard(websocket, f"WebSocketDisconnect {exc.code}")
        try:
            await websocket.send_text("still there?")
        except Exception as error:  # noqa: BLE001 - what the send raised is the point
            _heard(websocket, f"send raised {type(error).__name__}")


@raw_case("raw-ping-blocked-loop", "a ping while the endpoint blocks the event loop: the pong waits for the loop",
          Ping(b"early", timeout=0.3), Ping(b"late", timeout=5.0), SendText("x"), Recv(), Close(), wsproto={})
async def raw_ping_blocked_loop(websocket: WebSocket) -> None:
    await websocket.accept()
    time.sleep(1.0)  # blocks the loop that would answer the ping (both of uvicorn's protocols answer in data_received)
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            _heard(websocket, f"disconnect {int(message.get('code', 1000))}")
            return
        _heard(websocket, f"receive {message.get('text')!r}")
        await websocket.send_text(f"got {message.get('text')!r}")


CASE_IDS = [c.id for c in CASES]
assert len(set(CASE_IDS)) == len(CASE_IDS), "case ids must be unique"
