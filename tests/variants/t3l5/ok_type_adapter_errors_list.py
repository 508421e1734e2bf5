# expect: pass
# A different error text (pydantic's first error message) is fine: any non-empty string.
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ValidationError

app = FastAPI()


class MessageModel(BaseModel):
    user: str
    content: str
    timestamp: float


@app.websocket("/ws/json-demo")
async def validated(websocket: WebSocket):
    await websocket.accept()
    while True:
        try:
            data = await websocket.receive_json()
        except WebSocketDisconnect:
            break
        try:
            message = MessageModel(**data)
        except ValidationError as exc:
            first = exc.errors()[0]
            await websocket.send_json({"error": f"{first['loc'][0]}: {first['msg']}", "details": exc.errors(include_url=False)})
        else:
            reply = message.model_dump()
            reply["status"] = "PROCESSED"
            await websocket.send_json(reply)
