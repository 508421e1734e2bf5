# expect-fail: stop closes the connection with 1000
import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/ticker")
async def ticker(websocket: WebSocket, every: float = 1.0) -> None:
    await websocket.accept()
    n = 0
    try:
        while True:
            await asyncio.sleep(every)
            n += 1
            await websocket.send_json({"tick": n})
    except WebSocketDisconnect:
        pass
