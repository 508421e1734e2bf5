import json
import uuid

from fastapi import FastAPI, WebSocket

app = FastAPI()

sessions: dict[str, int] = {}  # session id -> count; outlives connections


@app.websocket("/ws/session")
async def session(websocket: WebSocket) -> None:
    await websocket.accept()
    current = uuid.uuid4().hex
    sessions[current] = 0
    await websocket.send_json({"type": "welcome", "session": current, "count": 0})
    first = True
    async for text in websocket.iter_text():
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        if first and isinstance(message, dict) and message.get("type") == "resume":
            wanted = message.get("session")
            if wanted not in sessions:
                await websocket.send_json({"type": "error", "reason": "unknown session"})
                await websocket.close(code=4004)
                return
            current = wanted
            await websocket.send_json({"type": "resumed", "session": current, "count": sessions[current]})
        else:
            sessions[current] += 1
            await websocket.send_json({"type": "count", "count": sessions[current]})
        first = False
