# expect: pass
from fastapi import FastAPI, WebSocket

app = FastAPI()

RANK = {"chat.v2": 2, "chat.v1": 1}


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket) -> None:
    best = max(websocket.scope.get("subprotocols", []), key=lambda p: RANK.get(p, 0), default=None)
    if best not in RANK:
        await websocket.close(1002)
        return
    await websocket.accept(best)
    async for text in websocket.iter_text():
        await websocket.send_text(best.split(".")[1] + ": " + text)
