"""Reading a conversation: its steps, each through its kind's module, with fixtures, includes and captures.

A step is one action (see :data:`grader.spec.steps.KINDS`) and the keys
every step may have (client, timeout, after, within). Its kind reads its
argument and says how it moves its client along (a client must connect
before it talks, and cannot talk once closed); this reader adds what lies
between steps: fixtures included in place (from this file or another), a
$ref only after the $capture it reads, a client named by a repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import Mark, SpecError
from grader.spec import library, match
from grader.spec.args import CLIENT_NAME, CLIENT_VAR, DEFAULT_CLIENT, VARIABLE
from grader.spec.flow import Flow
from grader.spec.operators import OPERATORS
from grader.spec.shapes import LANGUAGES, ShapeReader, Text
from grader.spec.steps import KINDS
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located

DEFAULT_TIMEOUT = 2.0
STEP_COMMON_KEYS = ("client", "timeout", "after", "within")
# Every step kind, in the format's order (one module each: grader/spec/steps/).
ACTIONS = tuple(KINDS)
# The steps whose arrival can be timed with after/within: each waits for something the server sends.
TIMED = tuple(name for name, kind in KINDS.items() if kind.timed)
INCLUDE = "include"  # a step that stands for a fixture's steps

_CLIENT = CLIENT_NAME
_VARIABLE = VARIABLE


@dataclass(frozen=True)
class Step:
    """One step of a conversation; ``arg`` depends on ``action`` (see ACTIONS)."""

    action: str
    arg: Any
    client: str
    timeout: float
    mark: Mark
    # Arrival-time bounds (spec 1.2): seconds of the grader's clock since the previous step ended.
    after: float | None = None
    within: float | None = None

    def label(self) -> str:
        return f"{self.action} ({self.client})" if self.client != DEFAULT_CLIENT else self.action


class StepReader(ShapeReader):
    """Reads the steps of conversations (and the fixtures they include), collecting every error."""

    def __init__(self) -> None:
        super().__init__()
        self.default_timeout = DEFAULT_TIMEOUT
        self.captured: set[str] = set()  # names captured so far in the current check
        self.fixtures: dict[str, Located] = {}  # shared step lists, by name
        self.included: set[str] = set()
        self.including: list[str] = []  # the fixtures being expanded, to refuse a cycle
        self.client_rounds: dict[str, str] = {}  # repeat variables naming clients -> the client of this reading
        self.path = Path()
        self.here = Path()  # the file whose steps are being read (another one inside an include from a file)
        self.libraries: dict[Path, library.Library] = {}  # other files fixtures are included from, read once
        self.flow = Flow()  # the step being read: what each client can do there, and its client
        self.client = DEFAULT_CLIENT
        # Words matchers show learners, per language, by their English (the first written wins): a report in
        # another language puts them in place of the English the matchers explain themselves in.
        self.said: dict[str, Text] = {}

    def read_fixtures(self, node: Located | None) -> None:
        if node is None:
            return
        if not isinstance(node.value, dict):
            self.error(node.mark, f"fixtures is a mapping of names to step lists, not {node.kind}")
            return
        for name, steps in node.value.items():
            if not _VARIABLE.match(name):
                self.error(node.key_mark(name), f"a fixture name is a word (letters, digits, _), not {name!r}")
            elif not isinstance(steps.value, list) or not steps.value:
                self.error(steps.mark, f"fixture {name!r} needs a non-empty list of steps")
            else:
                self.fixtures[name] = steps

    def steps(self, node: Located, flow: Flow, variables: frozenset[str]) -> tuple[Step, ...]:
        if not isinstance(node.value, list) or not node.value:
            self.error(node.mark, "steps must be a non-empty list")
            return ()
        result: list[Step] = []
        for item in node.value:
            if isinstance(item.value, dict) and INCLUDE in item.value:
                result += self.include(item, flow, variables)
            else:
                step = self.step(item, flow, variables)
                if step:
                    result.append(step)
        return tuple(result)

    def include(self, node: Located, flow: Flow, variables: frozenset[str]) -> list[Step]:
        """The steps of a fixture, read in place: as if written here, with the fixture's own lines."""
        extra = [k for k in node.value if k != INCLUDE]
        for key in extra:
            self.error(node.key_mark(key), f"include stands alone: {key!r} belongs on the fixture's steps")
        name_node = node.value[INCLUDE]
        if isinstance(name_node.value, dict):
            return library.include(self, name_node, flow, variables)
        name = name_node.value
        if not isinstance(name, str) or name not in self.fixtures:
            known = did_you_mean(str(name), sorted(self.fixtures)) if self.fixtures else "; no fixtures are defined"
            self.error(name_node.mark, f"no fixture named {name!r}{known}")
            return []
        if name in self.including:
            self.error(name_node.mark, f"fixture {name!r} includes itself ({' → '.join([*self.including, name])})")
            return []
        self.included.add(name)
        self.including.append(name)
        try:
            return list(self.steps(self.fixtures[name], flow, variables))
        finally:
            self.including.pop()

    def step(self, node: Located, flow: Flow, variables: frozenset[str]) -> Step | None:
        if not isinstance(node.value, dict):
            self.error(node.mark, f"a step must be a mapping like {{send_text: hi}}, not {node.kind}")
            return None
        actions = [k for k in node.value if k in ACTIONS]
        for key in node.value:
            if key not in ACTIONS and key not in STEP_COMMON_KEYS:
                self.error(node.key_mark(key), f"unknown step key {key!r}"
                           + did_you_mean(key, (*ACTIONS, *STEP_COMMON_KEYS),
                                          listing=f"a step is one action ({', '.join(ACTIONS)}) with optional "
                                                  f"{' and '.join(STEP_COMMON_KEYS)}; known"))
        if len(actions) != 1:
            if not actions and all(k in STEP_COMMON_KEYS for k in node.value):
                self.error(node.mark, f"a step needs one action: {', '.join(ACTIONS)}")
            elif len(actions) > 1:
                self.error(node.key_mark(actions[1]), f"a step has one action, this one has {', '.join(actions)}")
            return None
        action = actions[0]
        fields = node.value
        marker, client = self._client(fields.get("client"), variables)
        timeout = self.seconds(fields.get("timeout"), "timeout", self.default_timeout)
        value = fields[action]
        where = node.key_mark(action)
        kind = KINDS[action]
        self.newer(where, action, kind.since)
        if not kind.on_client and "client" in fields:
            self.error(fields["client"].mark, f"{action} takes no client: {kind.no_client_why}")
        after, within = self.arrival(fields, action)
        self.flow, self.client = flow, client  # the step being read, for the kind's reader
        arg = kind.parse(self, value, where, variables)
        if not kind.holds_steps:  # the steps inside are read (and checked) one by one
            self.refs(value)
            if not kind.own_operators:
                for op, mark, operand in _operators_in(value):
                    if op in OPERATORS:
                        self.newer(mark, op, OPERATORS[op].since)
                        for where, what, since in OPERATORS[op].later_forms(operand):
                            self.newer(where, what, since)
                        for text in OPERATORS[op].texts(operand):
                            missing = [lang for lang in LANGUAGES if lang not in text]
                            if missing:  # as for every other text of a spec: allowed, but probably unintended
                                self.warnings.append(SpecError(operand.mark, f"{op} says {text['en']!r} has no "
                                                               f"{', '.join(missing)} text: learners who chose "
                                                               f"{' or '.join(missing)} will read it in English"))
                            if self.said.setdefault(text["en"], text) != text:
                                self.warnings.append(SpecError(operand.mark, f"{op} says {text['en']!r} is given other "
                                                               "words in another language earlier in the spec: "
                                                               "reports show the earlier ones"))
        kind.follow(flow, self, client, arg, where)
        return Step(action, arg, marker or client, timeout, where, after, within)

    def arrival(self, fields: dict[str, Located], action: str) -> tuple[float | None, float | None]:
        """after:/within: seconds since the previous step, for a step that waits for the server."""
        given = {k: fields[k] for k in ("after", "within") if k in fields}
        if not given:
            return None, None
        if action not in TIMED:
            first = next(iter(given))
            self.error(given[first].mark, f"{first} times what the server sends: it goes on {', '.join(TIMED)}, "
                                          f"not on {action}")
            return None, None
        if any(self.newer(v.mark, k, 1.2) for k, v in given.items()):
            return None, None
        after = self.seconds(given.get("after"), "after", 0.0) if "after" in given else None
        within = self.seconds(given.get("within"), "within", 0.0) if "within" in given else None
        if after is not None and within is not None and after >= within:
            self.error(given["within"].mark, f"within {within:g} s must be more than after {after:g} s: "
                                             "no arrival time fits between them")
        return after, within

    def _client(self, node: Located | None, variables: frozenset[str]) -> tuple[str | None, str]:
        """(the marker a repeat fills in at run time, or None; the client name this round of reading stands for)."""
        if node is not None and match.operator_of(node.value) == "$var":
            name = node.value["$var"].value
            if name not in self.client_rounds:
                self.error(node.mark, f"client {{$var: {name}}} needs a repeat over client names with as: {name}")
                return None, DEFAULT_CLIENT
            return CLIENT_VAR + name, self.client_rounds[name]
        client = self.string(node, "client", DEFAULT_CLIENT) or DEFAULT_CLIENT
        if node is not None and not _CLIENT.match(client):
            self.error(node.mark, f"client name {client!r} must be a word (letters, digits, _ or -)")
        return None, client

    def refs(self, node: Located) -> None:
        """Every $ref reads a capture an earlier step made; then this step's captures become readable."""
        plain = node.plain()
        for name in match.refs_in(plain):
            if name not in self.captured:
                self.error(node.mark, f"$ref {name!r} reads a capture no earlier step of this check makes"
                           + (did_you_mean(name, sorted(self.captured)) if self.captured
                              else f"; capture it first, e.g. expect_json: {{id: {{$capture: {name}}}}}"))
        self.captured.update(match.captures_in(plain))


def _operators_in(node: Located) -> list[tuple[str, Mark, Located]]:
    """Every operator a value uses, with where it is written and its operand."""
    if isinstance(node.value, dict):
        return [(k, node.key_mark(k), v) for k, v in node.value.items() if k.startswith("$")] + [
            found for v in node.value.values() for found in _operators_in(v)]
    if isinstance(node.value, list):
        return [found for v in node.value for found in _operators_in(v)]
    return []
