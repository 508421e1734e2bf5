# expect-fail: HEARTBEAT after 10 s and again after 20 s
import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/with-timeout")
async def heartbeat(websocket: WebSocket):
    await websocket.accept()
    beaten = False
    try:
        while True:
            try:
                text = await asyncio.wait_for(websocket.receive_text(), timeout=None if beaten else 10)
            except TimeoutError:
                beaten = True
                await websocket.send_text("HEARTBEAT")
            else:
                await websocket.send_text(f"ACK: {text}")
    except WebSocketDisconnect:
        pass
