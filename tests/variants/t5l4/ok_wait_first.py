# expect: pass
import asyncio

from fastapi import FastAPI, Query, WebSocket, WebSocketDisconnect

app = FastAPI()


async def pushing(websocket: WebSocket, every: float) -> None:
    for n in range(1, 1_000_000):
        await asyncio.sleep(every)
        await websocket.send_json({"tick": n})


async def reading(websocket: WebSocket) -> bool:
    """True when the client asked to stop, False when it left."""
    try:
        async for text in websocket.iter_text():
            if text == "stop":
                return True
    except WebSocketDisconnect:
        pass
    return False


@app.websocket("/ws/ticker")
async def ticker(websocket: WebSocket, every: float = Query(default=1.0, gt=0)) -> None:
    await websocket.accept()
    push = asyncio.create_task(pushing(websocket, every))
    read = asyncio.create_task(reading(websocket))
    await asyncio.wait({push, read}, return_when=asyncio.FIRST_COMPLETED)
    push.cancel()
    if read.done() and read.result():
        await websocket.close(code=1000)
