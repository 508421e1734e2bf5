# expect-fail-first: nothing before 10 s of silence
import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/with-timeout")
async def heartbeat(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            try:
                text = await asyncio.wait_for(websocket.receive_text(), timeout=5)
            except TimeoutError:
                await websocket.send_text("HEARTBEAT")
            else:
                await websocket.send_text(f"ACK: {text}")
    except WebSocketDisconnect:
        pass
