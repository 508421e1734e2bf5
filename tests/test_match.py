"""Matchers read JSON the way the contracts say: as data, never as strings."""

from __future__ import annotations

import json

import pytest

from grader.spec.match import explain, literal, match, resolve


def ok(expected: object, actual: object) -> bool:
    return match(expected, actual) is None


def test_objects_match_as_data_whatever_the_spacing() -> None:
    assert ok({"type": "pong"}, json.loads('{"type":"pong"}'))
    assert ok({"type": "pong"}, json.loads('{ "type" : "pong" }'))


def test_escaped_and_literal_unicode_are_the_same_string() -> None:
    assert ok({"text": "é"}, json.loads('{"text": "\\u00e9"}'))


def test_numbers_compare_by_value_but_strings_are_not_numbers() -> None:
    assert ok(2, 2.0)
    assert ok({"t": 2.0}, {"t": 2})
    assert not ok(2, "2")
    assert not ok("2", 2)


def test_booleans_are_not_numbers() -> None:
    assert not ok(1, True)
    assert not ok(True, 1)
    assert not ok(0, False)
    assert ok(True, True)


def test_objects_match_exactly_by_default() -> None:
    mismatch = match({"type": "pong"}, {"type": "pong", "id": 7})
    assert mismatch is not None
    assert "extra key 'id'" in mismatch.actual


def test_missing_key_is_named_with_its_path() -> None:
    mismatch = match({"type": "echo", "data": {"n": 1}}, {"type": "echo", "data": {}})
    assert mismatch is not None
    assert mismatch.path == "$.data.n"


def test_nested_difference_names_the_key_path() -> None:
    mismatch = match({"a": {"b": [1, 2, {"c": "x"}]}}, {"a": {"b": [1, 2, {"c": "y"}]}})
    assert mismatch is not None
    assert mismatch.path == "$.a.b[2].c"
    assert str(mismatch) == 'at $.a.b[2].c: expected "x", got "y"'


def test_subset_allows_extra_keys() -> None:
    assert ok({"$subset": {"type": "pong"}}, {"type": "pong", "id": 7})
    assert not ok({"$subset": {"type": "pong"}}, {"id": 7})


def test_regex_must_match_the_whole_string() -> None:
    assert ok({"$re": r"ACK: \d+"}, "ACK: 12")
    assert not ok({"$re": r"ACK: \d+"}, "ACK: 12 and more")
    assert not ok({"$re": "x"}, 5)


@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [
        ("int", 3, 3.5),
        ("int", 2.0, "2"),
        ("number", 3.5, "3.5"),
        ("str", "", None),
        ("bool", False, 0),
        ("null", None, 0),
        ("object", {}, []),
        ("array", [], {}),
    ],
)
def test_type_matcher(name: str, good: object, bad: object) -> None:
    assert ok({"$type": name}, good)
    assert not ok({"$type": name}, bad)


def test_any_and_one_of() -> None:
    assert ok({"x": {"$any": True}}, {"x": [1, {"deep": None}]})
    assert ok({"$one_of": ["a", {"$type": "int"}]}, 4)
    assert not ok({"$one_of": ["a", {"$type": "int"}]}, "b")


def test_eq_reads_no_operators_inside() -> None:
    assert ok({"$eq": {"$re": "x"}}, {"$re": "x"})
    assert not ok({"$eq": {"$re": ".*"}}, "anything")


def test_templates_fill_in_variables_as_literals() -> None:
    env = {"m": {"send": {"$re": "looks like an operator"}, "n": 3}}
    assert literal({"$var": "m.send"}, env) == {"$re": "looks like an operator"}
    assert ok(resolve({"$var": "m.send"}, env), {"$re": "looks like an operator"})
    assert literal({"$concat": ["n=", {"$var": "m.n"}]}, env) == "n=3"
    assert literal({"k": [{"$var": "m.n"}]}, env) == {"k": [3]}


def test_braces_in_payloads_are_never_formatted() -> None:
    assert literal({"text": "{m} {{x}}"}, {"m": "no"}) == {"text": "{m} {{x}}"}


def test_explain_says_what_was_wanted() -> None:
    assert explain({"$re": "a+"}) == "a string matching /a+/"
    assert explain({"type": "pong"}) == '{"type": "pong"}'
    assert explain({"$subset": {"k": {"$type": "int"}}}) == 'an object with at least {"k": "<an integer>"}'


def test_regex_groups_are_matched_by_their_own_matchers() -> None:
    matcher = {"$re": {"pattern": r"\[(?P<ts>[^\]]+)\] said: (?P<text>.*)", "groups": {"text": "hi"}}}
    assert ok(matcher, "[now] said: hi")
    mismatch = match(matcher, "[now] said: ho")
    assert mismatch is not None and mismatch.path == "$<text>"


def test_datetime_within_seconds_of_now() -> None:
    from datetime import datetime, timedelta

    now = datetime.now()
    assert ok({"$datetime": {"within": 60}}, str(now))
    assert ok({"$datetime": {"within": 60}}, str(now.replace(microsecond=0)))
    assert not ok({"$datetime": {"within": 60}}, str(now - timedelta(minutes=5)))
    assert not ok({"$datetime": {"within": 60}}, "yesterday")
