# expect: pass
# Closing before accept() is a refusal too.
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/items/{item_id}/ws")
async def items(websocket: WebSocket, item_id: str, q: int | None = None):
    credential = websocket.cookies.get("session") or websocket.query_params.get("token")
    if credential is None:
        await websocket.close(code=1008)
        return
    await websocket.accept()
    async for text in websocket.iter_text():
        lines = [f"Session cookie or query token value is: {credential}"]
        if q is not None:
            lines.append(f"Query parameter q is: {q}")
        lines.append(f"Message text was: {text}, for item ID: {item_id}")
        for line in lines:
            await websocket.send_text(line)
