# attack: sends 15 MiB text frames without end (each under the largest message a client takes), to fill the grader's inboxes
# honest: fail
# ruff: noqa
from fastapi import FastAPI, WebSocket

app = FastAPI()
BIG = "y" * (15 << 20)


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        await websocket.send_text(BIG)
