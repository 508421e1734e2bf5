# expect: pass
from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect


class Room:
    def __init__(self) -> None:
        self.members: dict[int, WebSocket] = {}

    async def join(self, client_id: int, websocket: WebSocket) -> None:
        await websocket.accept()
        self.members[client_id] = websocket

    def leave(self, client_id: int) -> None:
        self.members.pop(client_id, None)

    async def say(self, text: str) -> None:
        for member in list(self.members.values()):
            await member.send_text(text)


room = Room()
router = APIRouter()


@router.websocket("/ws/{client_id}")
async def chat(websocket: WebSocket, client_id: int):
    await room.join(client_id, websocket)
    while True:
        try:
            text = await websocket.receive_text()
        except WebSocketDisconnect:
            room.leave(client_id)
            await room.say(f"Client #{client_id} left the chat")
            return
        await websocket.send_text(f"You wrote: {text}")
        await room.say(f"Client #{client_id} says: {text}")


app = FastAPI()
app.include_router(router)
