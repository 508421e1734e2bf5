"""What the grader's own server does with the bytes a client writes: uvicorn's websockets-sansio, frame by frame.

httpx-ws's in-memory server reads client frames with wsproto and knows only
whole text, binary and close frames: a ping stops it with an error, each
fragment of a message reaches the app as a message of its own, and a frame
no server accepts is reported in wsproto's words. uvicorn's default
protocol (``uvicorn/protocols/websockets/websockets_sansio_impl.py``)
parses with the websockets library's sans-I/O ``Protocol`` instead, and so
does this reader, with the same size limit, so that every frame is judged
with the same rules and the same words:

- a ping is answered with a pong carrying its payload at the protocol
  layer, as soon as the server's event loop reads it (the host's loop here:
  see framestream.py); the app never sees it, nor any pong;
- a fragmented message reaches the app as one message when its last
  fragment arrives (websockets checks the order of fragments);
- a text message that is not UTF-8 fails the connection with 1007 and no
  reason (uvicorn decodes it itself, and logs "Invalid UTF-8 sequence
  received from client." at ERROR: the client's fault, not the app's);
- a close frame is the client leaving, with the code it carried (1005 when
  it carried none);
- any other protocol error (a close payload no close frame may have, a
  control frame over 125 bytes or in fragments, a continuation out of
  place, an unmasked frame, a reserved opcode or bit, a message over 16 MiB)
  fails the connection with the code and reason websockets gives it: the
  app hears a disconnect with them, the client gets a close frame with
  them, and nothing more is read.

Measured against uvicorn 0.55 with websockets 17.4 and wsproto 1.3.2 (the
cases are in ``tests/differential/cases.py``, group ``raw``); uvicorn's
other protocol, wsproto, fails the same frames with its own reasons and no
close frame at all (the client sees 1006).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from websockets.frames import Frame, Opcode
from websockets.protocol import OPEN, Protocol, Side

# uvicorn's ws_max_size default, as websockets-sansio enforces it on a whole message.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024

_QUIET = logging.getLogger("grader.clientframes")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


@dataclass(frozen=True)
class Message:
    """A whole message for the app's ``receive()``."""

    data: str | bytes


@dataclass(frozen=True)
class Pong:
    """The answer to a ping, written to the client before anything else it is owed."""

    payload: bytes


@dataclass(frozen=True)
class Left:
    """The client's close frame: the app hears a disconnect with its code and reason."""

    code: int
    reason: str


@dataclass(frozen=True)
class Failed:
    """The server fails the connection: a close frame with this code and reason, and the app hears the same."""

    code: int
    reason: str


Event = Message | Pong | Left | Failed


class ClientFrames:
    """The server's reader of one connection's client frames, from the open handshake on."""

    def __init__(self, max_size: int = MAX_MESSAGE_BYTES) -> None:
        self._protocol = Protocol(Side.SERVER, state=OPEN, max_size=max_size, logger=_QUIET)
        self._fragments: list[bytes] = []
        self._text = False
        self.done = False  # a close frame was read or the connection failed: the rest is discarded

    def feed(self, data: bytes) -> list[Event]:
        """The events ``data`` completes, in order."""
        if self.done:
            return []
        protocol = self._protocol
        protocol.receive_data(data)
        protocol.data_to_send()  # its pongs and close frames: this server writes its own (see framestream.py)
        events: list[Event] = []
        for frame in protocol.events_received():
            if not isinstance(frame, Frame):
                continue  # a server's protocol after the handshake yields frames only
            opcode = frame.opcode
            if opcode is Opcode.PING:
                events.append(Pong(bytes(frame.data)))
            elif opcode is Opcode.CLOSE:
                close = protocol.close_rcvd
                assert close is not None
                events.append(Left(int(close.code), close.reason))
                self.done = True
                return events
            elif opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
                if opcode is not Opcode.CONT:
                    self._text = opcode is Opcode.TEXT
                    self._fragments = []
                self._fragments.append(bytes(frame.data))
                if frame.fin:
                    whole = b"".join(self._fragments)
                    self._fragments = []
                    if not self._text:
                        events.append(Message(whole))
                        continue
                    try:
                        events.append(Message(whole.decode()))
                    except UnicodeDecodeError:
                        # uvicorn: send_close(1007) with no reason, then handle_parser_exception.
                        events.append(Failed(1007, ""))
                        self.done = True
                        return events
            # A pong is not answered and never reaches the app.
        if protocol.parser_exc is not None:
            sent = protocol.close_sent
            events.append(Failed(int(sent.code), sent.reason) if sent is not None else Failed(1002, ""))
            self.done = True
        return events
