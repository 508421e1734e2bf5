"""Spec loading: every mistake is reported as file:line:column, all at once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.errors import SpecErrors
from grader.spec import Connect, load_exercise

EXERCISES = Path(__file__).resolve().parent.parent / "exercises"

HEAD = """\
version: 1
id: demo
title: Demo
track: 3
lesson: 1
xp: 10
file: demo.py
instructions: Do it.
"""


def write(tmp_path: Path, body: str, name: str = "demo.yaml", head: str = HEAD) -> Path:
    path = tmp_path / name
    path.write_text(head + textwrap.dedent(body), encoding="utf-8")
    return path


def errors(path: Path) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        load_exercise(path)
    return [str(e) for e in caught.value.errors]


@pytest.mark.parametrize("path", sorted(EXERCISES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_spec_loads(path: Path) -> None:
    exercise = load_exercise(path)
    assert exercise.id == path.stem
    assert exercise.checks


def test_a_minimal_spec_loads_with_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        checks:
          - name: answers
            steps:
              - connect: /ws
              - send_text: hi
              - expect_text: hi
        """)
    exercise = load_exercise(path)
    (check,) = exercise.checks
    assert check.points == 1 and not check.hidden
    connect = check.steps[0]
    assert connect.client == "ws" and connect.arg == Connect(path="/ws")
    assert exercise.title == {"en": "Demo"}


def test_a_defaults_block_without_points_leaves_each_check_worth_one_point(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        defaults: {timeout: 4}
        checks:
          - name: answers
            steps:
              - connect: /ws
          - name: worth three
            points: 3
            steps:
              - connect: /ws
        """, head=HEAD.replace("version: 1\n", "version: 1.2\n"))
    exercise = load_exercise(path)
    assert [c.points for c in exercise.checks] == [1, 3]
    assert exercise.points == 4


def test_unknown_keys_are_errors_with_their_position(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        checks:
          - name: answers
            hnit: typo
            steps:
              - connect: /ws
                clinet: a
        """)
    found = errors(path)
    assert any(e.startswith(f"{path}:11:5: unknown key 'hnit' in a check") for e in found), found
    assert any(e.startswith(f"{path}:14:9: unknown step key 'clinet'") for e in found), found


def test_all_errors_are_reported_at_once_in_file_order(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        checks:
          - name: one
            steps:
              - send_text: before connecting
          - name: one
            steps:
              - connect: ws-without-slash
              - expect_json: {$regex: "x"}
        """)
    found = errors(path)
    assert len(found) == 4, found
    assert "used before it connects" in found[0]
    assert "duplicate check name 'one'" in found[1]
    assert "path must start with '/'" in found[2]
    assert "unknown operator '$regex'" in found[3]
    lines = [int(e.split(":")[1]) for e in found]
    assert lines == sorted(lines)


def test_yaml_syntax_errors_point_at_the_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "checks: [\n  - name: x\n", head="")
    (message,) = errors(path)
    assert message.startswith(f"{path}:") and "invalid YAML" in message


def test_python_tags_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "checks: !!python/object/apply:os.system ['echo hacked']\n")
    (message,) = errors(path)
    assert f"{path}:9:9:" in message and "YAML tag" in message


def test_custom_tags_are_refused_with_the_plain_data_alternative(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        checks:
          - name: x
            steps:
              - connect: /ws
              - expect_json: {n: !anyint 3}
        """)
    (message,) = errors(path)
    assert "{$type: int}" in message


def test_alias_bombs_are_capped(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    path = write(tmp_path, "\n".join(lines) + "\n", head="")
    (message,) = errors(path)
    assert "aliases expand" in message


def test_id_must_match_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "checks:\n  - {name: x, source: {calls: [f]}}\n", name="other.yaml")
    (message,) = errors(path)
    assert message.startswith(f"{path}:2:5:") and "does not match the file name" in message


def test_repeat_over_an_empty_list_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        checks:
          - name: x
            steps:
              - connect: /ws
              - repeat:
                  over: []
                  steps:
                    - send_text: {$var: item}
        """)
    (message,) = errors(path)
    assert "non-empty list" in message and ":14:" in message


def test_variables_exist_only_inside_their_repeat(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        checks:
          - name: x
            steps:
              - connect: /ws
              - send_text: {$var: m}
        """)
    (message,) = errors(path)
    assert "unknown variable 'm'" in message


def test_conversation_order_is_checked(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        checks:
          - name: x
            steps:
              - connect: /ws
              - ends_cleanly:
              - disconnect:
              - send_text: too late
        """)
    found = errors(path)
    assert any("needs a disconnect" in e for e in found)
    assert any("is disconnected here" in e for e in found)


def test_payloads_are_validated(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        checks:
          - name: x
            steps:
              - connect: /ws
              - send_bytes: {hex: "zz"}
              - send_bytes: {generate: random}
              - send_bytes: {generate: all_bytes, seed: 3}
        """)
    found = errors(path)
    assert len(found) == 3, found


def test_file_checks_cannot_leave_the_grading_folder(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        checks:
          - name: x
            steps:
              - expect_file: {path: ../../etc/passwd, content: x}
              - expect_file: {path: /etc/passwd, content: x}
        """)
    assert len(errors(path)) == 2


def test_an_unreadable_spec_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"\xff\xfe garbage")
    (message,) = errors(path)
    assert message.startswith(f"{path}:1:1:")


def test_a_refusal_status_and_a_close_reason_are_checked_where_written(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        checks:
          - name: x
            steps:
              - connect: {path: /ws, status: 200}
              - disconnect: {code: 1000, reason: "%s"}
        """ % ("é" * 62))
    status, reason = errors(path)
    assert ":12:" in status and "400-599" in status
    assert ":13:" in reason and "123 bytes" in reason


def test_a_refusal_status_and_a_close_reason_load_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        checks:
          - name: x
            steps:
              - connect: {path: /ws, status: 403}
          - name: y
            steps:
              - connect: /ws
              - disconnect: {code: 4001, reason: bye}
        """)
    exercise = load_exercise(path)
    connect = exercise.checks[0].steps[0].arg
    assert isinstance(connect, Connect) and connect.status == 403 and connect.refused is None
    leave = exercise.checks[1].steps[1].arg
    assert (leave.code, leave.reason) == (4001, "bye")
