# expect: pass
import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


class Jobs:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def answer(self, request: dict) -> None:
        op = request.get("op")
        if op == "sleep":
            await asyncio.sleep(request["seconds"])
            reply = {"id": request["id"], "done": True}
        elif op == "echo":
            reply = {"id": request["id"], "text": request["text"]}
        else:
            reply = {"id": request["id"], "error": "unknown op"}
        await self.websocket.send_json(reply)


@app.websocket("/ws/jobs")
async def jobs(websocket: WebSocket) -> None:
    await websocket.accept()
    worker = Jobs(websocket)

    class Left(Exception):
        pass

    async def read() -> None:
        try:
            while True:
                group.create_task(worker.answer(await websocket.receive_json()))
        except WebSocketDisconnect:
            raise Left from None

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(read())
    except* Left:
        pass
