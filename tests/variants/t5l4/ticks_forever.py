# expect-fail: stops ticking when the client leaves
import asyncio

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/ticker")
async def ticker(websocket: WebSocket, every: float = 1.0) -> None:
    await websocket.accept()

    async def tick() -> None:
        n = 0
        while True:
            await asyncio.sleep(every)
            n += 1
            try:
                await websocket.send_json({"tick": n})
            except Exception:
                pass  # keeps going after the client left

    async def read() -> None:
        try:
            while await websocket.receive_text() != "stop":
                pass
            await websocket.close(code=1000)
        except Exception:
            pass

    await asyncio.gather(tick(), read())
