"""Any YAML at all either loads or is reported as file:line:column errors; never a crash."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.errors import SpecErrors
from grader.spec import ACTIONS, Exercise, parse_exercise

EXERCISES = sorted((Path(__file__).resolve().parent.parent / "exercises").glob("*.yaml"))
SPECS = [p.read_text(encoding="utf-8") for p in EXERCISES]
ERROR = re.compile(r"^t3l2\.yaml:[1-9]\d*:[1-9]\d*: \S")
FUZZ = settings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=16,
)
operators = st.sampled_from(["$re", "$type", "$any", "$subset", "$eq", "$one_of", "$var", "$concat", "$datetime", "$nope"])
matchers = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    | st.builds(lambda op, v: {op: v}, operators, inner),
    max_leaves=10,
)
steps = st.builds(
    lambda action, value, extra: {action: value, **extra},
    st.sampled_from([*ACTIONS, "expect_txt"]),
    matchers,
    st.dictionaries(st.sampled_from(["client", "timeout", "bogus"]), scalars, max_size=2),
)
specs = st.fixed_dictionaries(
    {"version": st.just(1), "id": st.just("t3l2"), "title": st.just("T"), "track": st.just(3), "lesson": st.just(2),
     "xp": st.just(20), "file": st.just("t3l2.py"), "instructions": st.just("x"),
     "checks": st.lists(st.fixed_dictionaries({"name": st.text(min_size=1, max_size=10), "steps": st.lists(steps, max_size=6)}),
                        max_size=3)},
)


def loads_or_reports(text: str) -> None:
    try:
        result = parse_exercise(text, Path("t3l2.yaml"))
    except SpecErrors as exc:
        assert exc.errors
        for error in exc.errors:
            assert ERROR.match(str(error)), str(error)
        return
    assert isinstance(result, Exercise)


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    loads_or_reports(text)


@FUZZ
@given(values)
def test_arbitrary_yaml_documents(value: object) -> None:
    loads_or_reports(yaml.safe_dump(value, allow_unicode=True))


@FUZZ
@given(specs)
def test_spec_shaped_documents(value: object) -> None:
    loads_or_reports(yaml.safe_dump(value, allow_unicode=True, sort_keys=False))


@FUZZ
@given(st.sampled_from(SPECS), st.data())
def test_mutations_of_the_real_specs(spec: str, data: st.DataObject) -> None:
    lines = spec.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            break
        index = data.draw(st.integers(0, len(lines) - 1))
        operation = data.draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "char", "swap"]))
        line = lines[index]
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, line)
        elif operation == "indent":
            lines[index] = "  " + line
        elif operation == "dedent":
            lines[index] = line[2:]
        elif operation == "char":
            position = data.draw(st.integers(0, len(line)))
            lines[index] = line[:position] + data.draw(st.sampled_from(list(":-{}[]'\"&*!|>#$ \t"))) + line[position:]
        else:
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
    loads_or_reports("\n".join(lines) + "\n")


def test_a_matcher_the_operators_cannot_word_is_reported_not_a_crash() -> None:
    # Found by the fuzzer: a $type of null inside a $subset, on a step that only ever receives text.
    text = ("version: 1\nid: t3l2\ntitle: T\ntrack: 3\nlesson: 2\nxp: 20\nfile: t3l2.py\ninstructions: x\n"
            "checks:\n  - name: '0'\n    steps:\n      - connect: /ws\n"
            "      - expect_text: {$subset: {$type: null}}\n")
    with pytest.raises(SpecErrors) as raised:
        parse_exercise(text, Path("t3l2.yaml"))
    assert "can never match it" in str(raised.value)
