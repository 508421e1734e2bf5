# attack: at import, writes non-UTF-8 lines (b"\xff\xfe\n") and a half-JSON line to every descriptor 3..64, event pipe included
# honest: fail
# ruff: noqa
import os

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

for fd in range(3, 65):
    for junk in (b"\xff\xfe\n", b'{"event": "check", "index": \xff\n'):
        try:
            os.write(fd, junk)
        except OSError:
            pass


app = FastAPI()


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            await websocket.receive_text()
            await websocket.send_text("ok")
    except WebSocketDisconnect:
        pass
