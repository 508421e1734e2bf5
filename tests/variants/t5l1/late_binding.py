# expect-fail: answers arrive as they finish, each with its own id
import asyncio

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/jobs")
async def jobs(websocket: WebSocket) -> None:
    await websocket.accept()
    tasks = []
    async for request in websocket.iter_json():

        async def handle() -> None:
            # Reads `request` when it runs: by then the loop has moved on.
            if request.get("op") == "sleep":
                await asyncio.sleep(request["seconds"])
                await websocket.send_json({"id": request["id"], "done": True})
            elif request.get("op") == "echo":
                await websocket.send_json({"id": request["id"], "text": request["text"]})
            else:
                await websocket.send_json({"id": request["id"], "error": "unknown op"})

        tasks.append(asyncio.create_task(handle()))
