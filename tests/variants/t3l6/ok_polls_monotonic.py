# expect: pass
# Polls time.monotonic(), as a real server's clock would answer: the grader's clock covers it.
import asyncio
import time

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/with-timeout")
async def heartbeat(websocket: WebSocket):
    await websocket.accept()
    last = time.monotonic()
    try:
        while True:
            try:
                text = await asyncio.wait_for(websocket.receive_text(), timeout=0.5)
            except TimeoutError:
                if time.monotonic() - last >= 10:
                    await websocket.send_text("HEARTBEAT")
                    last = time.monotonic()
                continue
            last = time.monotonic()
            await websocket.send_text(f"ACK: {text}")
    except WebSocketDisconnect:
        pass
