from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/jobs")
async def jobs(websocket: WebSocket) -> None:
    await websocket.accept()
    # For every JSON request {"id", "op", ...}: echo, sleep or an error,
    # each answer with the request's id, without waiting for slow requests.
