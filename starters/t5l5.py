from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/calc")
async def calc(websocket: WebSocket) -> None:
    await websocket.accept()
    # Read each message as an add, mul or echo envelope (pydantic models in a
    # discriminated union) and answer it; answer anything else with an error.
