"""What the judge keeps of a host's reports: every field checked, cut to size, and nothing that matters lost.

The host is the learner's process, so ``grader.judge.hostframes`` reads each
field as untrusted. These pin both halves: a field out of bounds is a
protocol error (or dropped, where it only words a report), and a well-formed
report keeps what the learner's verdict is worded from (the chain of causes,
the exit that meant to stop the server, the app's routes).
"""

from __future__ import annotations

from typing import Any

import pytest

from grader import wire
from grader.judge import hostframes as hf


def raised(n: int) -> list[dict[str, Any]]:
    return [{"type": f"E{i}", "message": f"cause {i}", "frames": [{"file": "app.py", "line": i, "function": "f",
                                                                 "code": "x"}]} for i in range(n)]


def test_the_chain_of_causes_is_kept_first_cause_first_up_to_eight() -> None:
    for n in (1, 2, 5, 8):
        chain = hf.raised_from_wire(raised(n))
        assert [r.type for r in chain] == [f"E{i}" for i in range(n)]
        assert [r.frames[0].line for r in chain] == list(range(n))
    assert [r.type for r in hf.raised_from_wire(raised(50))] == [f"E{i}" for i in range(8)]


def test_an_error_keeps_the_exit_that_meant_to_stop_the_server_and_nothing_else() -> None:
    for stops in ("SystemExit", "KeyboardInterrupt"):
        error = hf.app_error({"errors": raised(2), "exit": stops})
        assert error is not None and error.exit == stops and error.type == "E1"
    for other in ("ValueError", "systemexit", 1, None, ["SystemExit"]):
        error = hf.app_error({"errors": raised(1), "exit": other})
        assert error is not None and error.exit is None
    assert hf.app_error(None) is None
    with pytest.raises(wire.ProtocolError):
        hf.app_error(["SystemExit"])


def test_the_apps_routes_reach_the_report_cut_to_size() -> None:
    routes = ["/ws", "/chat/{room}", "/x" * 400] + [f"/r{i}" for i in range(300)]
    event = hf.event_from_wire({"op": "loaded", "routes": routes, "protections": {"rlimits": 1}})
    assert event["routes"][:2] == ["/ws", "/chat/{room}"]
    assert event["routes"][2] == ("/x" * 400)[:500]
    assert len(event["routes"]) == 200
    assert event["protections"] == {"rlimits": True}
    with pytest.raises(wire.ProtocolError):
        hf.event_from_wire({"op": "loaded", "routes": {"/ws": 1}})


@pytest.mark.parametrize("value", [True, False, -1, 11, 1.0, "3", None, [1], 1 << 64])
def test_a_number_field_is_an_integer_in_its_range_never_a_boolean(value: object) -> None:
    with pytest.raises(wire.ProtocolError):
        hf.number({"op": "idle", "seen": value}, "seen", 0, 10)


def test_a_number_field_in_range_is_read() -> None:
    assert [hf.number({"op": "idle", "seen": v}, "seen", 0, 10) for v in (0, 7, 10)] == [0, 7, 10]
    assert hf.maybe_number({"op": "idle"}, "next") is None
    assert hf.number({"op": "at", "ask": hf.MAX_INT}, "ask") == hf.MAX_INT
    with pytest.raises(wire.ProtocolError):
        hf.number({"op": "at", "ask": hf.MAX_INT + 1}, "ask")


@pytest.mark.parametrize("headers", [
    {"a": "b"}, [["a"]], [["a", "b", "c"]], [["a", 1]], [[b"a", "b"]], ["ab"], [["a", "b"]] * 1001, "a: b",
])
def test_malformed_http_headers_are_a_protocol_error(headers: object) -> None:
    with pytest.raises(wire.ProtocolError):
        hf.header_pairs({"op": "http_start", "headers": headers})


def test_http_headers_are_read_as_pairs_of_bytes() -> None:
    assert hf.header_pairs({"op": "http_start", "headers": [["x-a", "1"], ["set-cookie", "é"]]}) == [
        (b"x-a", b"1"), (b"set-cookie", "é".encode("latin-1"))]
    assert len(hf.header_pairs({"op": "http_start", "headers": [["a", "b"]] * 1000})) == 1000


@pytest.mark.parametrize("value", [1, ["r"], {"r": 1}, b"r"])
def test_a_text_field_that_is_not_text_is_a_protocol_error(value: object) -> None:
    with pytest.raises(wire.ProtocolError):
        hf.text({"op": "close", "reason": value}, "reason")


def test_report_texts_are_cut_to_what_a_report_shows() -> None:
    chain = hf.raised_from_wire([{"type": "T" * 500, "message": "m" * 10_000, "frames": [
        {"file": "f" * 900, "line": 3, "function": "g" * 300, "code": "c" * 900}] * 100}])
    (only,) = chain
    assert (len(only.type), len(only.message)) == (200, 2000)
    assert len(only.frames) == 64
    assert (len(only.frames[0].file), len(only.frames[0].function), len(only.frames[0].code)) == (500, 200, 500)
    event = hf.event_from_wire({"op": "crashed", "message": "x" * 5000, "reason": "r" * 100, "found": ["a"] * 30})
    assert len(event["message"]) == 2000 and len(event["reason"]) == 40 and len(event["found"]) == 10


def test_a_source_line_with_a_number_out_of_range_is_left_out() -> None:
    lines = hf.lines_from_wire([{"file": "a.py", "line": -1}, {"file": "a.py", "line": True},
                                {"file": "a.py", "line": 1 << 64}, {"file": "a.py", "line": 4}, "junk"])
    assert [(line.file, line.line) for line in lines] == [("a.py", 4)]
