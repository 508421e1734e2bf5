"""The judge's memory stays within its budget whatever an app sends: measured from outside, in bytes."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT, grade_bin

TRUST = Path(__file__).parent / "trust"
BUDGET_MIB = 256  # grader.toml's [limits] judge_memory_mb


def peak_rss_mib(*args: str, timeout: float = 180) -> tuple[float, str, int]:
    """The high-water mark of the `grade` process's resident memory (VmHWM), read from /proc while it runs."""
    proc = subprocess.Popen([grade_bin(), *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    peak_kib = 0
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"grade {' '.join(args)} did not end within {timeout} s")
        try:
            status = Path(f"/proc/{proc.pid}/status").read_text()
        except OSError:
            break
        # The mark only grows, so the last reading before the process ends is its peak so far.
        peak_kib = max([peak_kib] + [int(line.split()[1]) for line in status.splitlines()
                                     if line.startswith("VmHWM:")])
        time.sleep(0.02)
    out, _ = proc.communicate(timeout=timeout)
    return peak_kib / 1024, out, proc.returncode


@pytest.mark.parametrize("attack", ["flood_memory_binary.py", "flood_memory_text.py"])
def test_a_flood_keeps_the_judge_within_its_budget(attack: str) -> None:
    baseline, _, code = peak_rss_mib("t3l1", "--app", "solutions/t3l1.py", "--no-record")
    assert code == 0
    peak, out, code = peak_rss_mib("t3l1", "--app", str(TRUST / attack), "--no-record")
    assert code == 1, out
    assert f"your app sent more than {BUDGET_MIB} MiB in this check" in out
    assert "Traceback" not in out
    assert peak <= baseline + BUDGET_MIB, f"the judge peaked at {peak:.0f} MiB (baseline {baseline:.0f} MiB)"


def test_deep_and_huge_json_is_judged_as_json_not_a_crash() -> None:
    proc = subprocess.run([grade_bin(), "t3l2", "--app", str(TRUST / "deep_json_echo.py"), "--no-record"],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "Traceback" not in out and "RecursionError" not in out
    assert "not JSON" not in out  # it is JSON, only deep: the mismatch says what arrived
    assert "[[[[" in out
