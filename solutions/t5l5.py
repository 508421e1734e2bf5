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


def answer(message: Add | Mul | Echo) -> dict:
    if isinstance(message, Add):
        return {"type": "result", "value": message.a + message.b}
    if isinstance(message, Mul):
        return {"type": "result", "value": message.a * message.b}
    return {"type": "echo", "text": message.text}


@app.websocket("/ws/calc")
async def calc(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        try:
            message = Envelope.validate_json(text)
        except ValidationError as exc:
            await websocket.send_json({"type": "error", "detail": json.loads(exc.json(include_url=False))})
            continue
        await websocket.send_json(answer(message))
