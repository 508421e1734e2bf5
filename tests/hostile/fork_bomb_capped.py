# kind: mismatch
# says: "Message text was: hello"
# Forks a few children that would live forever; the grader kills the whole group.
import os
import time

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    async for text in websocket.iter_text():
        for _ in range(5):
            pid = os.fork()
            if pid == 0:
                while True:
                    time.sleep(1)
        await websocket.send_text(text)
