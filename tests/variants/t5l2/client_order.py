# expect-fail: picks chat.v2 when the client offers it
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    offered = [p for p in websocket.scope.get("subprotocols", []) if p in ("chat.v1", "chat.v2")]
    if not offered:
        await websocket.close(code=1002)
        return
    chosen = offered[0]  # the client's first choice, not the server's
    await websocket.accept(subprotocol=chosen)
    async for text in websocket.iter_text():
        await websocket.send_text(f"{chosen.removeprefix('chat.')}: {text}")
