# expect-fail: ticks every second, starting after one second
import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/ticker")
async def ticker(websocket: WebSocket, every: float = 1.0) -> None:
    await websocket.accept()

    async def tick() -> None:
        n = 0
        while True:
            n += 1
            await websocket.send_json({"tick": n})  # sends first, then waits
            await asyncio.sleep(every)

    ticking = asyncio.create_task(tick())
    try:
        while await websocket.receive_text() != "stop":
            pass
        ticking.cancel()
        await websocket.close(code=1000)
    except WebSocketDisconnect:
        ticking.cancel()
