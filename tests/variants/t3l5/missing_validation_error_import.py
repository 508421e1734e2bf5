# expect-fail: a missing field gets an error
from fastapi import FastAPI, WebSocket
from pydantic import BaseModel

app = FastAPI()


class MessageModel(BaseModel):
    user: str
    content: str
    timestamp: float


@app.websocket("/ws/json-demo")
async def validated(websocket: WebSocket):
    await websocket.accept()
    async for data in websocket.iter_json():
        try:
            message = MessageModel(**data)
        except ValidationError as exc:  # noqa: F821
            await websocket.send_json({"error": str(exc)})
            continue
        await websocket.send_json({**message.model_dump(), "status": "PROCESSED"})
