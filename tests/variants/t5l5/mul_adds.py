# expect-fail: multiplies and echoes
import json
from typing import Annotated, Literal

from fastapi import FastAPI, WebSocket
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

app = FastAPI()


class Add(BaseModel):
    type: Literal["add"]
    a: float
    b: float


class Mul(BaseModel):
    type: Literal["mul"]
    a: float
    b: float


class Echo(BaseModel):
    type: Literal["echo"]
    text: str


Envelope = TypeAdapter(Annotated[Add | Mul | Echo, Field(discriminator="type")])


@app.websocket("/ws/calc")
async def calc(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        try:
            message = Envelope.validate_json(text)
        except ValidationError as exc:
            await websocket.send_json({"type": "error", "detail": json.loads(exc.json(include_url=False))})
            continue
        if isinstance(message, Add):
            await websocket.send_json({"type": "result", "value": message.a + message.b})
        elif isinstance(message, Mul):
            await websocket.send_json({"type": "result", "value": message.a + message.b})
        else:
            await websocket.send_json({"type": "echo", "text": message.text})
