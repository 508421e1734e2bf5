# attack: patches the host's describer so the error frames it reports name a "file" full of terminal escapes and bidi overrides, then raises
# honest: fail
# ruff: noqa
from fastapi import FastAPI, WebSocket

EVIL = "\x1b]52;c;cHduZWQ=\x07\x1b[2J\u202e\u2066yp.exe\x9b31m"

try:
    from grader.host import learner

    def line(self, filename, lineno, function):
        return {"file": EVIL + ".py", "line": lineno, "function": EVIL, "code": EVIL}

    learner.LearnerCode.line = line
    learner.LearnerCode.display = lambda self, filename: EVIL
except Exception:
    pass

app = FastAPI()


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    await websocket.receive_text()
    raise RuntimeError("boom")
