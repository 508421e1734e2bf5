# expect-fail: the interval comes from the query string
import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/ticker")
async def ticker(websocket: WebSocket) -> None:
    await websocket.accept()

    async def tick() -> None:
        n = 0
        while True:
            await asyncio.sleep(1)
            n += 1
            await websocket.send_json({"tick": n})

    ticking = asyncio.create_task(tick())
    try:
        while await websocket.receive_text() != "stop":
            pass
        ticking.cancel()
        await websocket.close(code=1000)
    except WebSocketDisconnect:
        ticking.cancel()
