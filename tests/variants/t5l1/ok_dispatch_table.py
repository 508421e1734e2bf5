# expect: pass
import asyncio
from functools import partial

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


async def echo(websocket: WebSocket, request: dict) -> dict:
    return {"id": request["id"], "text": request["text"]}


async def sleep(websocket: WebSocket, request: dict) -> dict:
    await asyncio.sleep(request["seconds"])
    return {"id": request["id"], "done": True}


async def unknown(websocket: WebSocket, request: dict) -> dict:
    return {"id": request["id"], "error": "unknown op"}


HANDLERS = {"echo": echo, "sleep": sleep}


async def run(websocket: WebSocket, request: dict) -> None:
    handler = HANDLERS.get(request.get("op"), unknown)
    await websocket.send_json(await handler(websocket, request))


@app.websocket("/ws/jobs")
async def jobs(websocket: WebSocket) -> None:
    await websocket.accept()
    pending = []
    try:
        while True:
            request = await websocket.receive_json()
            pending.append(asyncio.ensure_future(partial(run, websocket, request)()))
    except WebSocketDisconnect:
        for task in pending:
            task.cancel()
