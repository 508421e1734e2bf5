# expect: pass
import asyncio
import contextlib

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/ticker")
async def ticker(websocket: WebSocket, every: float = 1.0) -> None:
    await websocket.accept()
    loop = asyncio.get_running_loop()
    next_at = loop.time() + every
    n = 0
    receiving = asyncio.ensure_future(websocket.receive_text())
    try:
        while True:
            done, _ = await asyncio.wait({receiving}, timeout=max(0.0, next_at - loop.time()))
            if receiving in done:
                if receiving.result() == "stop":
                    await websocket.close(code=1000)
                    return
                receiving = asyncio.ensure_future(websocket.receive_text())
                continue
            n += 1
            await websocket.send_json({"tick": n})
            next_at += every
    except WebSocketDisconnect:
        pass
    finally:
        receiving.cancel()
        with contextlib.suppress(BaseException):
            await receiving
