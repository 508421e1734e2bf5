# attack: hides terminal escapes where the report quotes the learner: an exception message, a close reason, a bytes answer
# honest: fail
# ruff: noqa
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

BANNER = "\x1b[2J\x1b[32m✓ all checks passed\x1b]0;pwned\x07\x1b[8m"

app = FastAPI()
calls = 0


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    global calls
    calls += 1
    await websocket.accept()
    text = await websocket.receive_text()
    if calls % 3 == 1:
        raise RuntimeError(BANNER + text)
    if calls % 3 == 2:
        await websocket.send_bytes(BANNER.encode())
    await websocket.close(code=1011, reason=BANNER[:40])
