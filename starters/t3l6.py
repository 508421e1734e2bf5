import asyncio

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/with-timeout")
async def heartbeat(websocket: WebSocket) -> None:
    await websocket.accept()
    # Answer "ACK: m" to each message; after 10 s without one, send "HEARTBEAT".
    # Time the wait with asyncio.wait_for(websocket.receive_text(), timeout=10).
