"""``repeat``: the same steps over a list of values, or a number of times.

```yaml
- repeat:
    over: [a, b, c]                 # or times: 3 (the variable counts 0, 1, 2)
    as: room                        # {$var: room} inside; default: item
    steps:
      - send_json: {join: {$var: room}}
      - expect_json: {joined: {$var: room}}
- repeat:                           # over client names: each round is another client
    over: [ann, bob]
    as: who
    steps:
      - connect: /chat
        client: {$var: who}
```

A failure names the round and the value. The steps inside must leave every
client as they found it, so that every round starts alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from grader.errors import Mark
from grader.spec import match
from grader.spec.args import CLIENT_NAME, CLIENT_VAR, VARIABLE, Reader
from grader.spec.flow import Flow
from grader.spec.steps import StepFailed, StepKind, Talk
from grader.spec.yamlnodes import Located

if TYPE_CHECKING:
    from grader.spec.loader import Step


@dataclass(frozen=True)
class Repeat:
    var: str
    values: tuple[Any, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Rounds:
    """{over: [...] or times: N, as: NAME, steps: [...]}."""

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "over": {"type": "array", "minItems": 1},
                "times": {"type": "integer", "minimum": 1},
                "as": {"type": "string", "pattern": VARIABLE.pattern},
                "steps": {"$ref": "#/$defs/steps"},
            },
            "required": ["steps"],
            "oneOf": [{"required": ["over"]}, {"required": ["times"]}],
            "additionalProperties": False,
        }

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> Repeat | None:
        flow = reader.flow
        fields = reader.mapping(node, {"over": False, "times": False, "as": False, "steps": True}, "repeat")
        if fields is None:
            return None
        var = reader.string(fields.get("as"), "as", "item") or "item"
        if not VARIABLE.match(var):
            reader.error(fields["as"].mark, f"as must be a variable name (ASCII letters, digits and _), not {var!r}")
        values: list[Any] = []
        if ("over" in fields) == ("times" in fields):
            reader.error(node.mark, "repeat needs exactly one of 'over' (a list of values) or 'times' (a count)")
        elif "over" in fields:
            over = fields["over"]
            if not isinstance(over.value, list) or not over.value:
                reader.error(over.mark, "repeat over needs a non-empty list of values")
            else:
                values = over.plain()
        else:
            count = reader.integer(fields["times"], "times", default=1, minimum=1)
            values = list(range(count))
        if "steps" not in fields:
            return None
        if _names_client(fields["steps"].plain(), var):
            return _over_clients(reader, node, fields, var, values, flow, variables)
        before = flow.copy()
        steps = reader.steps(fields["steps"], flow, variables | {var})
        if flow.stopped and not before.stopped:
            reader.error(node.mark, "a shutdown cannot be repeated: put it after the repeat")
        if flow.states != before.states:
            reader.error(node.mark, "the steps of a repeat must leave every client as they found it "
                         "(connect and disconnect inside, or outside)")
        return Repeat(var, tuple(values), steps)


def _names_client(steps: Any, var: str) -> bool:
    """Whether any step (at any depth) says client: {$var: var}."""
    if isinstance(steps, dict):
        return steps.get("client") == {"$var": var} or any(_names_client(v, var) for v in steps.values())
    if isinstance(steps, list):
        return any(_names_client(v, var) for v in steps)
    return False


def _over_clients(reader: Reader, node: Located, fields: dict[str, Located], var: str, values: list[Any],
                  flow: Flow, variables: frozenset[str]) -> Repeat | None:
    """A repeat whose steps say client: {$var: VAR}: read the steps once per client, as they will run."""
    bad = [v for v in values if not isinstance(v, str) or not CLIENT_NAME.match(v)]
    if bad or not values:
        reader.error(fields.get("over", node).mark, f"a repeat that names clients with {{$var: {var}}} goes over "
                                                    f"client names (words), not {match.show(bad[:1] or values)}")
        return None
    first: tuple[Step, ...] = ()
    seen = {(e.mark, e.message) for e in reader.errors}
    for value in values:
        reader.client_rounds[var] = value
        known = len(reader.errors)
        steps = reader.steps(fields["steps"], flow, variables | {var})
        first = first or steps
        # One message per mistake, not one per client.
        fresh = [e for e in reader.errors[known:] if (e.mark, e.message) not in seen]
        reader.errors[known:] = fresh
        seen |= {(e.mark, e.message) for e in fresh}
    del reader.client_rounds[var]
    return Repeat(var, tuple(values), first)


class RepeatKind(StepKind):
    name: ClassVar[str] = "repeat"
    argument = Rounds()
    on_client = False
    no_client_why = "put it on the steps inside"
    holds_steps = True

    def follow(self, flow: Flow, reader: Reader, client: str, arg: Any, where: Mark) -> None:
        pass  # its steps moved their clients as they were read

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        spec: Repeat = step.arg
        label = f"{talk.number}."
        for round_number, value in enumerate(spec.values, 1):
            inner = {**env, spec.var: value}
            try:
                await talk.run(_with_client(spec.steps, spec.var, value), inner, prefix=label)
            except StepFailed as failed:
                f = failed.failure
                where = f"{f.step}, " + talk.say("round {n} of {total}", n=round_number, total=len(spec.values)) + (
                    f" ({spec.var} = {match.show(value, 120)})")
                raise StepFailed(replace(f, step=where)) from None


def _with_client(steps: tuple[Step, ...], var: str, value: Any) -> tuple[Step, ...]:
    """The steps of one round of a repeat over clients: client {$var: var} becomes this round's client."""
    marker = CLIENT_VAR + var
    bound = []
    for step in steps:
        if step.client == marker:
            step = replace(step, client=str(value))
        if step.action == "repeat" and step.arg is not None:
            step = replace(step, arg=replace(step.arg, steps=_with_client(step.arg.steps, var, value)))
        bound.append(step)
    return tuple(bound)
