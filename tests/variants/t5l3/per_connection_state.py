# expect-fail: a new connection resumes a session where it was
import json
import uuid

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/session")
async def session(websocket: WebSocket) -> None:
    await websocket.accept()
    sessions = {}  # lives and dies with this connection
    current = uuid.uuid4().hex
    sessions[current] = 0
    await websocket.send_json({"type": "welcome", "session": current, "count": 0})
    async for text in websocket.iter_text():
        message = json.loads(text) if text.startswith("{") else {}
        if message.get("type") == "resume":
            if message.get("session") not in sessions:
                await websocket.send_json({"type": "error", "reason": "unknown session"})
                await websocket.close(code=4004)
                return
            current = message["session"]
            await websocket.send_json({"type": "resumed", "session": current, "count": sessions[current]})
            continue
        sessions[current] += 1
        await websocket.send_json({"type": "count", "count": sessions[current]})
