# expect-fail: a new connection resumes a session where it was
import json
import uuid

from fastapi import FastAPI, WebSocket

app = FastAPI()

known: set[str] = set()


@app.websocket("/ws/session")
async def session(websocket: WebSocket) -> None:
    await websocket.accept()
    current = uuid.uuid4().hex
    known.add(current)
    count = 0  # the count is the connection's, so a resume starts over
    await websocket.send_json({"type": "welcome", "session": current, "count": count})
    async for text in websocket.iter_text():
        message = json.loads(text) if text.startswith("{") else {}
        if message.get("type") == "resume":
            if message.get("session") not in known:
                await websocket.send_json({"type": "error", "reason": "unknown session"})
                await websocket.close(code=4004)
                return
            current = message["session"]
            await websocket.send_json({"type": "resumed", "session": current, "count": count})
            continue
        count += 1
        await websocket.send_json({"type": "count", "count": count})
