# expect: pass
from fastapi import APIRouter, FastAPI, WebSocket

router = APIRouter()


@router.websocket("/ws")
async def json_router(websocket: WebSocket):
    await websocket.accept()
    async for message in websocket.iter_json():
        match message:
            case {"type": "ping"}:
                reply = {"type": "pong"}
            case _:
                reply = {"type": "echo", "data": message}
        await websocket.send_json(reply)


app = FastAPI()
app.include_router(router)
