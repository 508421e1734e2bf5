"""A flooding app, graded check after check on one app host: every check fails where the flood shows.

The endpoint sends without end and never reads. Each check of t3l1 fails at
its first expect with the flood's first frame; its clients are then torn
down while the app's other connections go on flooding. What a check left
behind must not reach the next one: neither the frames its endpoints sent
after their clients left (a closed socket takes them nowhere) nor a backlog
read ahead of the judge's clock (the host's wire is paced, as TCP paces a
sender whose reader is slow). Whether a teardown raced a flood or not, the
verdict is the same: graded several times, since the race is the machine's.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import ECHO_PREFIX, FLOOD, learner_file

from conftest import run_grade

# Where each check of t3l1 meets the flood: its first expect (check 3: bob's, the first one it waits on).
FIRST_EXPECT = {
    "answers a message": "step 3, expect_text",
    "answers many messages on one connection": "step 2.2, expect_text",
    "serves two clients at once": "step 4, expect_text (bob)",
    "ends cleanly when the client leaves": "step 3, expect_text",
}
RUNS = 6  # a teardown racing the flood came about one run in three


def test_a_flood_fails_every_check_at_its_first_expect_however_teardown_races_it(tmp_path: Path) -> None:
    app = learner_file(tmp_path, prefix=ECHO_PREFIX, body=FLOOD)
    for run in range(RUNS):
        proc = run_grade("t3l1", "--app", str(app), "--no-record", "--format", "json", timeout=300)
        assert proc.returncode == 1, (run, proc.stderr)
        report = json.loads(proc.stdout)
        seen = {}
        for check in report["checks"]:
            failure = check["failure"]
            assert check["status"] == "failed" and failure is not None, (run, check["name"])
            seen[check["name"]] = failure["step"].split(" (t3l1.yaml")[0]
            # The flood's first frame is what the learner is shown, not a budget another check used up.
            assert failure["actual"] == json.dumps("x" * 100), (run, check["name"], failure)
        assert seen == FIRST_EXPECT, run
        assert "MiB" not in proc.stdout, run
