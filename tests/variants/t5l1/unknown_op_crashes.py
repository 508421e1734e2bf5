# expect-fail: an unknown op is answered with an error
import asyncio

from fastapi import FastAPI, WebSocket

app = FastAPI()


async def echo(websocket: WebSocket, request: dict) -> None:
    await websocket.send_json({"id": request["id"], "text": request["text"]})


async def sleep(websocket: WebSocket, request: dict) -> None:
    await asyncio.sleep(request["seconds"])
    await websocket.send_json({"id": request["id"], "done": True})


HANDLERS = {"echo": echo, "sleep": sleep}


@app.websocket("/ws/jobs")
async def jobs(websocket: WebSocket) -> None:
    await websocket.accept()
    async for request in websocket.iter_json():
        handler = HANDLERS[request["op"]]
        asyncio.create_task(handler(websocket, request))
