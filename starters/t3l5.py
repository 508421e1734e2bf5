from fastapi import FastAPI, WebSocket
from pydantic import BaseModel

app = FastAPI()


class MessageModel(BaseModel):
    user: str
    content: str
    timestamp: float


@app.websocket("/ws/json-demo")
async def validated(websocket: WebSocket) -> None:
    await websocket.accept()
    # Validate each JSON object with MessageModel; answer the fields plus
    # "status": "PROCESSED", or {"error": ...} and keep going.
