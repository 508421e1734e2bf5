# expect: pass
import json
import uuid

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()

counts: dict[str, int] = {}


@app.websocket("/ws/session")
async def session(websocket: WebSocket) -> None:
    await websocket.accept()
    sid = uuid.uuid4().hex
    counts[sid] = 0
    await websocket.send_text(json.dumps({"type": "welcome", "session": sid, "count": 0}))
    seen = 0
    while True:
        try:
            text = await websocket.receive_text()
        except WebSocketDisconnect:
            return
        seen += 1
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = {}
        if seen == 1 and isinstance(data, dict) and data.get("type") == "resume":
            if data.get("session") in counts:
                sid = data["session"]
                await websocket.send_json({"type": "resumed", "session": sid, "count": counts[sid]})
                continue
            await websocket.send_json({"type": "error", "reason": "unknown session"})
            await websocket.close(code=4004)
            return
        counts[sid] += 1
        await websocket.send_json({"type": "count", "count": counts[sid]})
