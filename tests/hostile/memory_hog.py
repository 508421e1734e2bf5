# kind: error | hang | crash
# says: MemoryError | memory grew to
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    hoard = []
    while True:
        hoard.append(bytearray(50 * 1024 * 1024))
