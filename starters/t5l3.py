from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/session")
async def session(websocket: WebSocket) -> None:
    await websocket.accept()
    # Welcome with a new session id, count messages per session,
    # and let a first {"type": "resume", "session": id} carry on a session.
