"""Differential tests: the grader's judge must see what a real client of a real uvicorn sees.

Each case of tests/differential/cases.py (an app and a scripted client) is
played three times: under uvicorn with websockets-sansio (uvicorn's default,
the truth), under uvicorn with wsproto (recorded when it differs, never
asserted), and through the grader's judge, relay and host
(``grader.testing.ThreadHost``). The grader's observation must equal the
websockets-sansio one on every compared field: handshake (accepted and
subprotocol, or the HTTP status of the refusal, or aborted by the client),
response headers the case names, frames received, how the connection ended
(close code and reason, or 1006 without a close frame), what uvicorn logged
at ERROR ("Exception in ASGI application" = the grader's ``side.error``) and
whether the endpoint ended once the client was done.

The table of cases and the current disagreements: tests/DIFFERENTIAL.md
(``python -m differential.report`` from tests/ writes it).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
from collections.abc import Iterator

import pytest
from differential.cases import CASES
from differential.judged import observe_judged
from differential.model import DELIBERATE, EXCEPTION, NO_CLOSE_FRAME, NOTHING, Case, Observation
from differential.real import Servers, observe_real

SANSIO, WSPROTO = "websockets-sansio", "wsproto"


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    """One uvicorn per protocol for this test process (cases are mounted under prefixes of their own)."""
    shared = Servers()
    yield shared
    shared.close()


@pytest.fixture(scope="session")
def pool() -> Iterator[concurrent.futures.ThreadPoolExecutor]:
    with concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="real-client") as executor:
        yield executor


def both_protocols(case: Case, servers: Servers, pool: concurrent.futures.ThreadPoolExecutor) -> dict[str, Observation]:
    """The case under each uvicorn protocol, the two at once (their waits are real time)."""
    futures = {ws: pool.submit(observe_real, case, ws, servers) for ws in (SANSIO, WSPROTO)}
    return {ws: future.result(timeout=60) for ws, future in futures.items()}


def side_by_side(case: Case, truth: Observation, judged: Observation, wsproto: Observation) -> str:
    lines = [f"{case.id}: {case.checks}", f"  {'field':<10} {'uvicorn (websockets-sansio)':<60} grader"]
    mine, theirs = truth.fields(), judged.fields()
    for name in truth.diff(judged):
        lines.append(f"  {name:<10} {mine[name]:<60} {theirs[name]}")
    lines.append(f"  uvicorn notes: {'; '.join(truth.notes) or '-'}")
    lines.append(f"  grader notes:  {'; '.join(judged.notes) or '-'}")
    if wsproto != truth:
        lines.append(f"  (uvicorn with wsproto differs: {wsproto.short()})")
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_grader_sees_what_uvicorn_shows(case: Case, servers: Servers, pool: concurrent.futures.ThreadPoolExecutor,
                                        record_property: pytest.RecordProperty) -> None:
    real = both_protocols(case, servers, pool)
    truth, wsproto = real[SANSIO], real[WSPROTO]
    judged = observe_judged(case)
    record_property("uvicorn_sansio", truth.short())
    record_property("grader", judged.short())
    if wsproto != truth:
        record_property("uvicorn_wsproto", wsproto.short())
    if case.tcp_reset_race and truth.end == NO_CLOSE_FRAME and judged.end.startswith("server closed 1009"):
        # The client is still sending when uvicorn fails the connection: whether its
        # close frame or a TCP reset reaches the client first is a race (a real client
        # may see either); the grader shows the close frame.
        truth = dataclasses.replace(truth, end=judged.end)
    if case.wsproto is not None:
        # Asserted under wsproto too: exactly the differences the case names, with exactly these values.
        differs = dict(case.wsproto)
        assert truth.diff(wsproto) == [f for f in truth.fields() if f in differs], (case.id, truth.short(), wsproto.short())
        assert {f: wsproto.fields()[f] for f in differs} == differs, (case.id, wsproto.short())
    if case.id in DELIBERATE:
        field, uvicorn_says, grader_says, _why = DELIBERATE[case.id]
        # Exactly that difference, and nothing else (if uvicorn changes, this fails).
        assert truth.diff(judged) == [field], side_by_side(case, truth, judged, wsproto)
        assert (truth.fields()[field], judged.fields()[field]) == (uvicorn_says, grader_says)
        return
    if judged != truth:
        pytest.fail(side_by_side(case, truth, judged, wsproto), pytrace=False)


# --- the harness itself: uvicorn's log is really captured ---------------------------------------


def by_id(case_id: str) -> Case:
    return next(c for c in CASES if c.id == case_id)


@pytest.mark.parametrize("ws", [SANSIO, WSPROTO])
def test_uvicorn_log_capture_sees_an_exception(ws: str, servers: Servers) -> None:
    raised = observe_real(by_id("order-raise-after-accept"), ws, servers)
    assert raised.logged == EXCEPTION, raised
    assert any("ValueError: boom" in note for note in raised.notes), raised.notes
    clean = observe_real(by_id("hs-echo-text"), ws, servers)
    assert clean.logged == NOTHING, clean


@pytest.mark.parametrize("ws", [SANSIO, WSPROTO])
def test_uvicorn_log_capture_sees_other_errors(ws: str, servers: Servers) -> None:
    observed = observe_real(by_id("refuse-return-without-accept"), ws, servers)
    assert observed.logged == "error", observed
    assert any("without completing handshake" in note for note in observed.notes), observed.notes


def test_corpus_size() -> None:
    assert len(CASES) >= 60
