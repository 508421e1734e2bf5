# attack: none - control: answers "ok" to everything; must fail every check, cleanly, today
# honest: fail
# ruff: noqa
from fastapi import FastAPI, WebSocket, WebSocketDisconnect


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
