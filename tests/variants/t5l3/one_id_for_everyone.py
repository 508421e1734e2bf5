# expect-fail-first: welcomes each connection with a new session id
import json
import uuid

from fastapi import FastAPI, WebSocket

app = FastAPI()

sessions: dict[str, int] = {}  # session id -> count; outlives connections
SERVER_ID = uuid.uuid4().hex


@app.websocket("/ws/session")
async def session(websocket: WebSocket) -> None:
    await websocket.accept()
    # One id for the whole process: every connection shares (and resets) one session.
    current = SERVER_ID
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
