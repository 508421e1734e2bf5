# expect: pass
import secrets
from dataclasses import dataclass

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@dataclass
class Session:
    id: str
    count: int = 0


SESSIONS: dict[str, Session] = {}


def new_session() -> Session:
    session = Session(secrets.token_hex(16))
    SESSIONS[session.id] = session
    return session


@app.websocket("/ws/session")
async def endpoint(websocket: WebSocket) -> None:
    await websocket.accept()
    session = new_session()
    await websocket.send_json({"type": "welcome", "session": session.id, "count": session.count})
    try:
        message = await websocket.receive_text()
        if message.startswith("{") and '"resume"' in message:
            import json

            wanted = SESSIONS.get(json.loads(message).get("session"))
            if wanted is None:
                await websocket.send_json({"type": "error", "reason": "unknown session"})
                await websocket.close(code=4004)
                return
            session = wanted
            await websocket.send_json({"type": "resumed", "session": session.id, "count": session.count})
        else:
            session.count += 1
            await websocket.send_json({"type": "count", "count": session.count})
        while True:
            await websocket.receive_text()
            session.count += 1
            await websocket.send_json({"type": "count", "count": session.count})
    except WebSocketDisconnect:
        pass
