# expect-fail: a slow request does not hold up the others
import asyncio

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/jobs")
async def jobs(websocket: WebSocket) -> None:
    await websocket.accept()
    async for request in websocket.iter_json():
        if request.get("op") == "echo":
            await websocket.send_json({"id": request["id"], "text": request["text"]})
        elif request.get("op") == "sleep":
            await asyncio.sleep(request["seconds"])
            await websocket.send_json({"id": request["id"], "done": True})
        else:
            await websocket.send_json({"id": request["id"], "error": "unknown op"})
