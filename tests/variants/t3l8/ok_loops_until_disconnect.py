# expect: pass
# After close() the endpoint reads on: the client answers the close, and the
# endpoint receives websocket.disconnect and returns, as under a real server.
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/session")
async def session(websocket: WebSocket):
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("bytes") is not None:
            await websocket.close(code=1003)
        elif message["text"] == "bye":
            await websocket.close(code=1000, reason="done")
        else:
            await websocket.send_text(f"ok: {message['text']}")
