# expect: pass
from fastapi import APIRouter, Cookie, Depends, FastAPI, Query, WebSocket, WebSocketDisconnect, WebSocketException


def credential(session: str | None = Cookie(None), token: str | None = Query(None)) -> str:
    if session:
        return session
    if token:
        return token
    raise WebSocketException(code=1008, reason="session cookie or token required")


router = APIRouter(prefix="/items")


@router.websocket("/{item_id}/ws")
async def items(websocket: WebSocket, item_id: str, value: str = Depends(credential), q: int | None = None):
    await websocket.accept()
    while True:
        try:
            text = await websocket.receive_text()
        except WebSocketDisconnect:
            break
        await websocket.send_text("Session cookie or query token value is: " + value)
        if q is not None:
            await websocket.send_text("Query parameter q is: " + str(q))
        await websocket.send_text("Message text was: " + text + ", for item ID: " + item_id)


app = FastAPI()
app.include_router(router)
