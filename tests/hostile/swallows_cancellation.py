# kind: unclean
# says: still running
import asyncio

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(f"Message text was: {text}")
    while True:  # refuses to end, even when cancelled
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            pass
