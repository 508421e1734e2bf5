# expect: pass
import json

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
    async for text in websocket.iter_text():
        try:
            message = MessageModel.model_validate_json(text)
        except ValidationError as exc:
            await websocket.send_text(json.dumps({"error": str(exc)}))
        else:
            await websocket.send_text(message.model_dump_json()[:-1] + ', "status": "PROCESSED"}')
