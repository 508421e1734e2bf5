# expect: pass
from fastapi import Depends, FastAPI, WebSocket, WebSocketDisconnect, WebSocketException, status

app = FastAPI()


def negotiate(websocket: WebSocket) -> str:
    offered = set(websocket.scope.get("subprotocols") or ())
    for version in ("chat.v2", "chat.v1"):
        if version in offered:
            return version
    raise WebSocketException(code=status.WS_1002_PROTOCOL_ERROR)


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket, version: str = Depends(negotiate)) -> None:
    await websocket.accept(subprotocol=version)
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(("v2: " if version == "chat.v2" else "v1: ") + text)
    except WebSocketDisconnect:
        pass
