# expect: pass
import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
IDLE = 10


@app.websocket("/ws/with-timeout")
async def heartbeat(websocket: WebSocket):
    await websocket.accept()
    while True:
        try:
            async with asyncio.timeout(IDLE):
                text = await websocket.receive_text()
        except TimeoutError:
            await websocket.send_text("HEARTBEAT")
        except WebSocketDisconnect:
            return
        else:
            await websocket.send_text(f"ACK: {text}")
