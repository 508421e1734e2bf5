from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    # Answer every text message m with "Message text was: m",
    # and return quietly when the client leaves.
