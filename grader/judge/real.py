"""Clients of a real uvicorn (``grade ID --server uvicorn``): real TCP, real time.

The host serves the learner's app under uvicorn on a loopback socket the
judge opened (see ``grader/host/real.py``). Each client here connects to it
as any client would, with httpx-ws over httpx's own network transport: what
it sees (handshake status, frames, close codes, a dropped connection) is
uvicorn's doing. What only the server knows (accepted, closed with which
ASGI code, ended, raised) arrives over the wire from the host's observer,
matched to the client by a header it sends with its handshake.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx

from grader.judge.driver import Client, Handshake
from grader.judge.launch import START_SECONDS, HostProcess, spawn_host
from grader.judge.link import Link
from grader.spec import Connect

CONN_HEADER = "x-grader-conn"  # read and removed by grader/host/real.py's observer
# How long a refused client waits to hear from the host what its endpoint did
# (the HTTP answer can reach the client before the host's report reaches the judge).
REPORT_SECONDS = 2.0


def start_host(output: Path, loop: asyncio.AbstractEventLoop) -> tuple[HostProcess, Link, int, int]:
    """A host that will serve under uvicorn, on a listening socket of ours on a free loopback port.

    Returns the host, its link, the socket's number as the host has it (for the job) and the port.
    The host holds the only copy of the socket: once it is gone, connections are refused, not left waiting.
    """
    with socket.create_server(("127.0.0.1", 0), backlog=128) as sock:
        host = spawn_host(output, keep=(sock.fileno(),))
        fd, port = sock.fileno(), sock.getsockname()[1]
    link = Link(host.wire, loop, stall_seconds=START_SECONDS)
    link.real_time = True
    link.pid = host.pid
    return host, link, fd, port


class RealClient(Client):
    """A client of the real server: the same conversation, over a real socket."""

    port: int = 0

    def _http(self, spec: Connect, timeout: float) -> httpx.AsyncClient:
        conn = self.link.observe()
        self._opened(conn)
        return httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", cookies=spec.cookies, trust_env=False,
                                 timeout=httpx.Timeout(timeout))

    def _headers(self, spec: Connect) -> dict[str, str]:
        assert self.conn is not None
        return {**spec.headers, CONN_HEADER: str(self.conn.id)}

    async def _refused(self) -> None:
        await self.until(lambda: self.side.ended or None, REPORT_SECONDS)

    def _early_crash(self) -> Handshake | None:
        # No answer in time (a blocked server, a full backlog) is what a real client calls a timeout.
        if self.handshake is None and self.transport_error is not None:
            return Handshake(accepted=False, timed_out=True)
        return super()._early_crash()


def client_type(port: int) -> type[Client]:
    """The client class for a server on ``port``."""
    return type("RealClient", (RealClient,), {"port": port})
