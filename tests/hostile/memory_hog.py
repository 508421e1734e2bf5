# kind: error | crash
# says: MemoryError | memory grew to
# limits: memory_mb=768 check_seconds=60
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    hoard = []
    while True:
        hoard.append(bytearray(50 * 1024 * 1024))
