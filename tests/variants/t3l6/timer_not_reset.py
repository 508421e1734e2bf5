# expect-fail-first: a message restarts the 10 s
# Heartbeats every 10 s since the connection opened, whatever arrives.
import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/with-timeout")
async def heartbeat(websocket: WebSocket):
    await websocket.accept()

    async def beat():
        while True:
            await asyncio.sleep(10)
            await websocket.send_text("HEARTBEAT")

    beating = asyncio.create_task(beat())
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(f"ACK: {text}")
    except WebSocketDisconnect:
        pass
    finally:
        beating.cancel()
