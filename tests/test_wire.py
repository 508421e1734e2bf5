"""The wire's reader: size caps checked before a byte is kept, any bytes read without an escape."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from fastapi import FastAPI, WebSocket
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import wire
from grader.result import Status


def raw_frame(header: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">II", 4 + len(header) + len(payload), len(header)) + header + payload


def test_a_frame_claiming_more_than_the_cap_is_refused_from_its_length_alone() -> None:
    reader = wire.Reader()
    # Only the length has arrived: the reader must not wait for (and keep) 4 GiB.
    assert reader.feed(struct.pack(">I", wire.MAX_FRAME_BYTES + 1)) == []
    assert isinstance(reader.error, wire.ProtocolError)
    assert str(wire.MAX_FRAME_BYTES) in str(reader.error)
    assert not reader.partial


def test_a_frame_larger_than_its_owner_has_room_for_is_refused_before_it_is_kept() -> None:
    reader = wire.Reader(room=lambda: 1000)
    assert reader.feed(struct.pack(">II", 5000, 10)) == []
    assert isinstance(reader.error, wire.TooLarge)
    assert reader.error.size == 5000
    assert not reader.partial


def test_a_header_larger_than_the_header_cap_is_refused() -> None:
    header = b'{"op": "send", "pad": "' + b"x" * wire.MAX_HEADER_BYTES + b'"}'
    reader = wire.Reader()
    assert reader.feed(raw_frame(header)) == []
    assert reader.error is not None and "header" in str(reader.error)


@pytest.mark.parametrize("header", [
    b"[" * 20_000 + b"]" * 20_000,                     # nested past the interpreter's stack
    b'{"op": "idle", "seen": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
    b'{"op": "idle", "seen": Infinity}',
    b'{"op": "idle", "seen": NaN}',
    b'{"op": "idle", "seen": ' + b"9" * 5000 + b"}",  # more digits than Python converts
    b'["op", "idle"]',                                  # a list where the mapping belongs
    b'{"op": 7}',
    b'{"no": "op"}',
    b"\xff\xfe not utf-8",
    b"",
])
def test_a_malformed_header_is_a_protocol_error_and_nothing_else(header: bytes) -> None:
    reader = wire.Reader()
    assert reader.feed(raw_frame(header)) == []
    assert isinstance(reader.error, wire.ProtocolError)


def test_frames_before_a_broken_one_in_the_same_read_are_kept() -> None:
    good = wire.encode({"op": "busy", "held": False}) + wire.encode({"op": "accept", "conn": 1}, b"")
    reader = wire.Reader()
    frames = reader.feed(good + raw_frame(b"[" * 5000) + wire.encode({"op": "busy"}))
    assert [h["op"] for h, _ in frames] == ["busy", "accept"]
    assert reader.error is not None
    # After a broken frame the stream means nothing: later bytes are not read as frames.
    assert reader.feed(wire.encode({"op": "busy"})) == []


def test_read_frames_raises_once_the_good_frames_are_taken() -> None:
    reader = wire.Reader()
    assert len(wire.read_frames(reader, wire.encode({"op": "busy"}) + raw_frame(b"{"))) == 1
    with pytest.raises(wire.ProtocolError):
        wire.read_frames(reader, b"")


def test_a_frame_split_across_reads_is_whole_once_complete() -> None:
    data = wire.encode({"op": "send", "conn": 1, "kind": "bytes"}, b"p" * 3000)
    reader = wire.Reader()
    frames = [f for i in range(0, len(data), 7) for f in reader.feed(data[i : i + 7])]
    assert frames == [({"op": "send", "conn": 1, "kind": "bytes"}, b"p" * 3000)]
    assert not reader.partial and reader.error is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=20), st.integers(min_value=0, max_value=4096))
def test_no_bytes_make_the_reader_raise(chunks: list[bytes], room: int) -> None:
    reader = wire.Reader(max_frame=1 << 16, room=lambda: room)
    for chunk in chunks:
        for header, _ in reader.feed(chunk):
            assert isinstance(header, dict) and isinstance(header["op"], str)
    assert len(reader.buffer) <= max(room, 4) + 64


# --- times and scopes on the wire ----------------------------------------------------------------------------------


@pytest.mark.parametrize("when", [464.90332275000003, 984.8561453570001, 626.0621790280001, 0.3, 1.0, 2.675])
def test_a_time_on_the_wire_never_reads_back_before_the_time_it_stands_for(when: float) -> None:
    # A timer sent as nanoseconds must be due when the clock reaches them: ceil(when * 1e9) alone can fall
    # a nanosecond short, as it does for the first three (found by search), and such a timer would never fire.
    ns = wire.to_ns(when)
    assert ns / 1e9 >= when and (ns - 1) / 1e9 < when


def scheme_app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(f"{websocket.scope['scheme']} {websocket.url.scheme}")
        await websocket.receive_text()

    return app


def test_the_app_sees_a_websocket_scheme_as_under_uvicorn(converse: Any) -> None:
    result, _ = converse(scheme_app(), """\
        - connect: /ws
        - expect_text: ws ws
        """)
    assert result.status is Status.PASSED, result.failure
