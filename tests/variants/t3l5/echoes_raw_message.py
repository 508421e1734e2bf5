# expect-fail: unknown keys are dropped and values converted
from fastapi import FastAPI, WebSocket
from pydantic import BaseModel, ValidationError

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
            MessageModel.model_validate(data)
        except ValidationError as exc:
            await websocket.send_json({"error": str(exc)})
            continue
        await websocket.send_json({**data, "status": "PROCESSED"})
