# expect-fail: refuses a client that speaks neither version
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    offered = websocket.scope.get("subprotocols", [])
    chosen = next((v for v in ("chat.v2", "chat.v1") if v in offered), None)
    if chosen is None:
        await websocket.close(code=1008)
        return
    await websocket.accept(subprotocol=chosen)
    async for text in websocket.iter_text():
        await websocket.send_text(f"{chosen.removeprefix('chat.')}: {text}")
