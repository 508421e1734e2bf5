"""Write tests/DIFFERENTIAL.md: the corpus, what uvicorn shows, and where the grader disagrees.

From the tests/ folder: ``python -m differential.report`` (``--out PATH``
to write elsewhere, ``-k TEXT`` for the cases whose id contains TEXT).
Every case is played under uvicorn (websockets-sansio and wsproto, at once)
and through the grader's judge, exactly as tests/test_differential.py does.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import platform
import time
from importlib import metadata
from pathlib import Path

from .cases import CASES
from .judged import observe_judged
from .model import DELIBERATE, NOTHING, Case, Observation
from .real import Servers, observe_real

SANSIO, WSPROTO = "websockets-sansio", "wsproto"
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "DIFFERENTIAL.md"

INTRO = """\
# Differential corpus: the grader against uvicorn

"uvicorn is the truth": every case in `tests/differential/cases.py` (an app and a
scripted client) is played under real uvicorn on 127.0.0.1 with the `websockets`
client, once with `ws="websockets-sansio"` (uvicorn's default: the truth) and
once with `ws="wsproto"`, and through the grader's judge, relay and host
(`grader.testing.ThreadHost` + `grader.judge.driver.Client`).
`tests/test_differential.py` asserts, case by case, that the grader's
observation equals the websockets-sansio one; wsproto is recorded, not asserted.

Compared: the handshake (accepted and subprotocol; the HTTP status of a refusal;
aborted by the client; no answer), the response headers a case names, the
frames received in order ("silence" for a receive that timed out), how the
connection ended as the client saw it (`server closed CODE 'reason'`, `client
closed CODE`, `1006 (no close frame)`, or `open` when nothing ended it), what
uvicorn logged at ERROR on `uvicorn.error` ("Exception in ASGI application" =
`exception`, any other ERROR record = `error`; on the grader's side `exception`
is `client.side.error`, which `ends_cleanly` fails on) and whether the endpoint
ended within a second of the client being done. Not compared (shown as notes):
exception types and messages, refusal bodies, the grader's ASGI close code of a
refusal. Normalised: the reason of a 1006 (none is sent). Case
`size-17mib*` retries uvicorn when a TCP reset ate the close frame (the client is
still sending when uvicorn fails the connection, so a real client may see 1006).

The real client is `websockets.sync.client` (no compression offered, no size limit
on what it receives, no keepalive pings). Cases share one uvicorn per protocol,
each mounted under `/c/<run>` by a dispatcher that strips the prefix (and passes
the app's return value on), so the app sees the scope it would see as the
top-level app; lifespan cases get a server of their own.

Regenerate: `cd tests && python -m differential.report` (this file);
run: `pytest tests/test_differential.py -n 2`.
"""


# What was found out about a disagreement (or a protocol difference), shown under it. Facts, not fixes.
REMARKS: dict[str, str] = {}


def observe_all(cases: list[Case]) -> list[tuple[Case, dict[str, Observation], Observation, float]]:
    servers = Servers()
    rows = []
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for case in cases:
                started = time.perf_counter()
                futures = {ws: pool.submit(observe_real, case, ws, servers) for ws in (SANSIO, WSPROTO)}
                real = {ws: future.result(timeout=60) for ws, future in futures.items()}
                seconds = time.perf_counter() - started
                rows.append((case, real, observe_judged(case), seconds))
                verdict = ("agrees" if rows[-1][2] == real[SANSIO] else "deliberately differs"
                           if deliberate(case, real[SANSIO], rows[-1][2]) else "DISAGREES")
                print(f"{case.id}: {verdict}", flush=True)
    finally:
        servers.close()
    return rows


def cell(observation: Observation) -> str:
    """An observation in one table cell."""
    fields = observation.fields()
    parts = [fields["handshake"]]
    if fields["headers"] != "-":
        parts.append(f"headers {fields['headers']}")
    if fields["received"] != "-":
        parts.append(f"got {fields['received']}")
    if fields["end"] != "-":
        parts.append(f"end {fields['end']}")
    logged = fields["logged"]
    if logged != NOTHING:
        said = [n.split(" logged ", 1)[1] for n in observation.notes if " logged " in n]
        said += [n.removeprefix("grader side.error ") for n in observation.notes if n.startswith("grader side.error")]
        logged += f" ({said[0][:70]})" if said else ""
    parts.append(f"logs {logged}")
    if fields["endpoint"] != "ended":
        parts.append(f"endpoint {fields['endpoint']}")
    return escape("; ".join(parts))


def escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(rows: list[tuple[Case, dict[str, Observation], Observation, float]]) -> str:
    agree = sum(1 for case, real, judged, _ in rows if judged == real[SANSIO] or deliberate(case, real[SANSIO], judged))
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in
                         ("uvicorn", "websockets", "wsproto", "starlette", "fastapi", "httpx-ws"))
    lines = [INTRO, f"Last run: {datetime.date.today()}, Python {platform.python_version()}, {versions}.", "",
             f"**{len(rows)} cases; the grader agrees with uvicorn (websockets-sansio) on {agree} "
             f"(deliberate differences included: see the end), disagrees on {len(rows) - agree}.** "
             f"uvicorn's two protocols differ on {sum(1 for _, r, _, _ in rows if r[SANSIO] != r[WSPROTO])}.", "",
             "## The corpus", "",
             "| case | checks | uvicorn (websockets-sansio) | wsproto, if different | grader | s |",
             "|---|---|---|---|---|---|"]
    for case, real, judged, seconds in rows:
        truth, other = real[SANSIO], real[WSPROTO]
        verdict = ("agrees" if judged == truth else "deliberately differs" if deliberate(case, truth, judged)
                   else "**DISAGREES**")
        lines.append(f"| `{case.id}` | {escape(case.checks)} | {cell(truth)} | "
                     f"{cell(other) if other != truth else ''} | {verdict} | {seconds:.2f} |")
    lines += ["", "(s: real seconds for both uvicorn runs, played at once.)", "",
              "## Where the grader DISAGREES with uvicorn (the to-do list)", ""]
    disagreeing = [(c, r, j) for c, r, j, _ in rows if j != r[SANSIO] and not deliberate(c, r[SANSIO], j)]
    if not disagreeing:
        lines.append("None: every case agrees.")
    for case, real, judged in disagreeing:
        truth = real[SANSIO]
        lines += [f"### `{case.id}`: {case.checks}", "", "| field | uvicorn (websockets-sansio) | grader |",
                  "|---|---|---|"]
        mine, theirs = truth.fields(), judged.fields()
        for name in mine:
            mark = " ✗" if mine[name] != theirs[name] else ""
            lines.append(f"| {name}{mark} | {escape(mine[name])} | {escape(theirs[name])} |")
        lines.append(f"| notes | {escape('; '.join(truth.notes) or '-')} | {escape('; '.join(judged.notes) or '-')} |")
        if real[WSPROTO] != truth:
            lines += ["", f"uvicorn with wsproto: {escape(real[WSPROTO].short())}"]
        if case.id in REMARKS:
            lines += ["", REMARKS[case.id]]
        lines.append("")
    lines += ["## Deliberate differences", ""]
    for case, real, judged, _ in rows:
        if case.id in DELIBERATE and deliberate(case, real[SANSIO], judged):
            field, uvicorn_says, grader_says, why = DELIBERATE[case.id]
            lines.append(f"- `{case.id}`: {field} is `{uvicorn_says}` under uvicorn, `{grader_says}` in the grader: {why}.")
    return "\n".join(lines).rstrip() + "\n"


def deliberate(case: Case, truth: Observation, judged: Observation) -> bool:
    """The only difference is the one the grader keeps on purpose."""
    if case.id not in DELIBERATE:
        return False
    field, uvicorn_says, grader_says, _ = DELIBERATE[case.id]
    return truth.diff(judged) == [field] and (truth.fields()[field], judged.fields()[field]) == (uvicorn_says, grader_says)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m differential.report")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("-k", default="", help="only the cases whose id contains this")
    options = parser.parse_args()
    cases = [c for c in CASES if options.k in c.id]
    options.out.write_text(render(observe_all(cases)), encoding="utf-8")
    print(f"wrote {options.out}")


if __name__ == "__main__":
    main()
