from fastapi import FastAPI, WebSocket

app = FastAPI()

SUPPORTED = ("chat.v2", "chat.v1")  # the server's preference


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    offered = websocket.scope.get("subprotocols", [])
    chosen = next((version for version in SUPPORTED if version in offered), None)
    if chosen is None:
        await websocket.close(code=1002)
        return
    await websocket.accept(subprotocol=chosen)
    prefix = chosen.removeprefix("chat.")
    async for text in websocket.iter_text():
        await websocket.send_text(f"{prefix}: {text}")
