# expect: pass
import anyio
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/with-timeout")
async def heartbeat(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            text = None
            with anyio.move_on_after(10):
                text = await websocket.receive_text()
            if text is None:
                await websocket.send_text("HEARTBEAT")
            else:
                await websocket.send_text(f"ACK: {text}")
    except WebSocketDisconnect:
        pass
