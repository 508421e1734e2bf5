from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/session")
async def session(websocket: WebSocket) -> None:
    await websocket.accept()
    # "ok: m" for each text m; "bye" → close(1000, "done"); binary → close(1003).
