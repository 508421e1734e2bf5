# expect-fail: falls back to chat.v1
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    offered = websocket.scope.get("subprotocols", [])
    if "chat.v2" not in offered and "chat.v1" not in offered:
        await websocket.close(code=1002)
        return
    await websocket.accept(subprotocol="chat.v2" if "chat.v2" in offered else None)
    async for text in websocket.iter_text():
        await websocket.send_text(f"v2: {text}")
