from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def router(websocket: WebSocket) -> None:
    await websocket.accept()
    # Read each message with `async for msg in websocket.iter_json():`
    # and answer {"type": "pong"} to pings, {"type": "echo", "data": msg} to the rest.
