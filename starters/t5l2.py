from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    # Pick chat.v2, else chat.v1, from websocket.scope["subprotocols"];
    # refuse with code 1002 if neither is offered.
    await websocket.accept()
