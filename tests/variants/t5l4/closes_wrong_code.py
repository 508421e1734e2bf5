# expect-fail: stop closes the connection with 1000
import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/ticker")
async def ticker(websocket: WebSocket, every: float = 1.0) -> None:
    await websocket.accept()

    async def tick() -> None:
        n = 0
        while True:
            await asyncio.sleep(every)
            n += 1
            await websocket.send_json({"tick": n})

    ticking = asyncio.create_task(tick())
    try:
        while await websocket.receive_text() != "stop":
            pass
        ticking.cancel()
        await websocket.close(code=1001)
    except WebSocketDisconnect:
        ticking.cancel()
