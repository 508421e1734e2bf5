# expect-fail: an unknown session is refused with 4004
import json
import uuid

from fastapi import FastAPI, WebSocket

app = FastAPI()

sessions: dict[str, int] = {}


@app.websocket("/ws/session")
async def session(websocket: WebSocket) -> None:
    await websocket.accept()
    current = uuid.uuid4().hex
    sessions[current] = 0
    await websocket.send_json({"type": "welcome", "session": current, "count": 0})
    async for text in websocket.iter_text():
        message = json.loads(text) if text.startswith("{") else {}
        if message.get("type") == "resume":
            current = message["session"]
            await websocket.send_json({"type": "resumed", "session": current, "count": sessions[current]})
            continue
        sessions[current] += 1
        await websocket.send_json({"type": "count", "count": sessions[current]})
