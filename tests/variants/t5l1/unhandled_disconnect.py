# expect-fail: ends cleanly when the client leaves
import asyncio

from fastapi import FastAPI, WebSocket

app = FastAPI()


async def handle(websocket: WebSocket, request: dict) -> None:
    if request.get("op") == "echo":
        await websocket.send_json({"id": request["id"], "text": request["text"]})
    elif request.get("op") == "sleep":
        await asyncio.sleep(request["seconds"])
        await websocket.send_json({"id": request["id"], "done": True})
    else:
        await websocket.send_json({"id": request["id"], "error": "unknown op"})


@app.websocket("/ws/jobs")
async def jobs(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        request = await websocket.receive_json()
        asyncio.create_task(handle(websocket, request))
