# kind: error | crash | timeout
# says: MemoryError | memory grew to
# limits: memory_mb=768 check_seconds=60
# (filling 768 MB takes real time, which the clock counts: past the step's 2 s, a real client times out first)
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    hoard = []
    while True:
        hoard.append(bytearray(50 * 1024 * 1024))
