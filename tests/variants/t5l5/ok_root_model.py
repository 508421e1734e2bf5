# expect: pass
from typing import Literal, Union

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, RootModel, ValidationError

app = FastAPI()


class Add(BaseModel):
    type: Literal["add"]
    a: float
    b: float

    def reply(self) -> dict:
        return {"type": "result", "value": self.a + self.b}


class Mul(BaseModel):
    type: Literal["mul"]
    a: float
    b: float

    def reply(self) -> dict:
        return {"type": "result", "value": self.a * self.b}


class Echo(BaseModel):
    type: Literal["echo"]
    text: str

    def reply(self) -> dict:
        return {"type": "echo", "text": self.text}


class Envelope(RootModel[Union[Add, Mul, Echo]]):
    root: Union[Add, Mul, Echo] = Field(discriminator="type")


@app.websocket("/ws/calc")
async def calc(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            try:
                reply = Envelope.model_validate_json(text).root.reply()
            except ValidationError as exc:
                reply = {"type": "error", "detail": [e["msg"] for e in exc.errors()]}
            await websocket.send_json(reply)
    except WebSocketDisconnect:
        pass
