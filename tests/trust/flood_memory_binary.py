# attack: sends 24 binary frames of 64 MiB (the same buffer each time) to every client, to take the grader's memory
# honest: fail
# ruff: noqa
from fastapi import FastAPI, WebSocket

app = FastAPI()
BIG = b"x" * (64 << 20)


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    for _ in range(24):
        await websocket.send_bytes(BIG)
    await websocket.receive_text()
