# expect-fail: the connection survives a bad message
# The sample's shape: ValidationError caught outside the loop.
from fastapi import FastAPI, WebSocket
from pydantic import BaseModel, ValidationError

app = FastAPI()


class MessageModel(BaseModel):
    user: str
    content: str
    timestamp: float


@app.websocket("/ws/json-demo")
async def websocket_json(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            json_data = await websocket.receive_json()
            message = MessageModel(**json_data)
            processed_data = message.model_dump()
            processed_data["status"] = "PROCESSED"
            await websocket.send_json(processed_data)
    except ValidationError as e:
        await websocket.send_json({"error": str(e)})
