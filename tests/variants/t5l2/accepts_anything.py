# expect-fail: refuses a client that speaks neither version
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    offered = websocket.scope.get("subprotocols", [])
    if not offered:
        await websocket.close(code=1002)
        return
    chosen = next((v for v in ("chat.v2", "chat.v1") if v in offered), offered[0])
    await websocket.accept(subprotocol=chosen)
    async for text in websocket.iter_text():
        await websocket.send_text(f"{chosen.removeprefix('chat.')}: {text}")
