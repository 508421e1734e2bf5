# expect-fail: a bad envelope is an error and the connection stays open
from typing import Annotated, Literal

from fastapi import FastAPI, WebSocket
from pydantic import BaseModel, Field, TypeAdapter

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
        message = Envelope.validate_json(text)  # a bad envelope raises out of the endpoint
        if isinstance(message, Echo):
            await websocket.send_json({"type": "echo", "text": message.text})
        else:
            value = message.a + message.b if isinstance(message, Add) else message.a * message.b
            await websocket.send_json({"type": "result", "value": value})
