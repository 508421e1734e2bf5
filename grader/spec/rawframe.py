"""One WebSocket frame as a client puts it on the wire, built byte by byte (RFC 6455 5.2).

The client's protocol library (wsproto, under httpx-ws) only writes frames a
well-behaved client writes. A spec may ask for what real clients also send:
a text frame whose payload is not UTF-8, a close frame with no code or a
payload no close frame may have, a ping, a message in fragments, even an
unmasked frame. This module writes exactly the frame asked for and checks
nothing, so the server's answer is the server's own.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
NAMES = {"continuation": CONTINUATION, "text": TEXT, "binary": BINARY, "close": CLOSE, "ping": PING, "pong": PONG}


@dataclass(frozen=True)
class RawFrame:
    """A frame as a spec names it: opcode 0-15, payload, FIN, the three RSV bits (0-7) and whether it is masked."""

    opcode: int
    payload: bytes = b""
    fin: bool = True
    rsv: int = 0
    masked: bool = True

    def encode(self, key: bytes | None = None) -> bytes:
        """The frame's bytes; a client masks with a fresh random key unless ``key`` is given."""
        first = (0x80 if self.fin else 0) | (self.rsv & 0x7) << 4 | (self.opcode & 0xF)
        size = len(self.payload)
        mask_bit = 0x80 if self.masked else 0
        if size < 126:
            head = struct.pack("!BB", first, mask_bit | size)
        elif size < 1 << 16:
            head = struct.pack("!BBH", first, mask_bit | 126, size)
        else:
            head = struct.pack("!BBQ", first, mask_bit | 127, size)
        if not self.masked:
            return head + self.payload
        key = key if key is not None else os.urandom(4)
        return head + key + mask(self.payload, key)

    def describe(self) -> str:
        """For transcripts: ``text frame (FIN off) b'hel'``."""
        name = next((n for n, code in NAMES.items() if code == self.opcode), f"opcode {self.opcode:#x}")
        flags = [f for f, on in (("FIN off", not self.fin), (f"RSV {self.rsv}", self.rsv), ("unmasked", not self.masked))
                 if on]
        shown = repr(self.payload) if len(self.payload) <= 60 else f"{self.payload[:60]!r}… ({len(self.payload)} bytes)"
        return f"{name} frame" + (f" ({', '.join(flags)})" if flags else "") + f" {shown}"


def mask(data: bytes, key: bytes) -> bytes:
    """XOR ``data`` with the 4-byte ``key`` repeated (masking and unmasking are the same)."""
    if not data:
        return b""
    repeated = (key * (len(data) // 4 + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(len(data), "big")
