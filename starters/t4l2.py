from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/items/{item_id}/ws")
async def items(websocket: WebSocket, item_id: str) -> None:
    # Refuse (close 1008) when there is neither a `session` cookie nor a `token`
    # query parameter; take an optional integer `q`; then answer each message.
    await websocket.accept()
