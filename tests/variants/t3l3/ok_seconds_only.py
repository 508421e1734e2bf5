# expect: pass
# Whole seconds are allowed: str(datetime.now()) without the microseconds.
from datetime import datetime

from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect

router = APIRouter(prefix="/ws")


@router.websocket("/chat")
async def chat(websocket: WebSocket):
    await websocket.accept()
    while True:
        try:
            text = await websocket.receive_text()
        except WebSocketDisconnect:
            return
        stamp = datetime.now().replace(microsecond=0)
        await websocket.send_text(f"[{stamp}] Server received: {text}")


app = FastAPI()
app.include_router(router)
