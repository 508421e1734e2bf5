# expect-fail: a session cookie is accepted and wins over a token
from fastapi import Cookie, FastAPI, Query, WebSocket, WebSocketDisconnect, WebSocketException, status

app = FastAPI()


@app.websocket("/items/{item_id}/ws")
async def items(websocket: WebSocket, item_id: str, session: str | None = Cookie(default=None),
                token: str | None = Query(default=None), q: int | None = None):
    if session is None and token is None:
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION)
    await websocket.accept()
    value = token or session
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(f"Session cookie or query token value is: {value}")
            if q is not None:
                await websocket.send_text(f"Query parameter q is: {q}")
            await websocket.send_text(f"Message text was: {text}, for item ID: {item_id}")
    except WebSocketDisconnect:
        pass
