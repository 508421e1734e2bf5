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
        while True:
            if await websocket.receive_text() == "stop":
                ticking.cancel()
                await websocket.close(code=1000)
                return
    except WebSocketDisconnect:
        pass
    finally:
        ticking.cancel()
