# expect-fail: refuses a client that offers no subprotocol
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    offered = websocket.scope["subprotocols"]
    ranked = sorted(offered, key=lambda p: {"chat.v2": 0, "chat.v1": 1}.get(p, 2))
    chosen = ranked[0]
    if chosen not in ("chat.v2", "chat.v1"):
        await websocket.close(code=1002)
        return
    await websocket.accept(subprotocol=chosen)
    async for text in websocket.iter_text():
        await websocket.send_text(f"{chosen.removeprefix('chat.')}: {text}")
