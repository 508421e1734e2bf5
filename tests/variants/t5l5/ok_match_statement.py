# expect: pass
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


Message = Annotated[Add | Mul | Echo, Field(discriminator="type")]
adapter = TypeAdapter(Message)


@app.websocket("/ws/calc")
async def calc(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        try:
            message = adapter.validate_python(json.loads(text))
        except (ValidationError, ValueError) as exc:
            problems = exc.errors(include_url=False) if isinstance(exc, ValidationError) else [{"msg": str(exc)}]
            await websocket.send_json({"type": "error", "detail": [p["msg"] for p in problems]})
            continue
        match message:
            case Add(a=a, b=b):
                await websocket.send_json({"type": "result", "value": a + b})
            case Mul(a=a, b=b):
                await websocket.send_json({"type": "result", "value": a * b})
            case Echo(text=echoed):
                await websocket.send_json({"type": "echo", "text": echoed})
