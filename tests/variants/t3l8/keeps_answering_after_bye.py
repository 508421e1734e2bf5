# expect-fail: bye closes with 1000 done
# Treats "bye" like any other message and never closes.
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/session")
async def session(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("bytes") is not None:
                await websocket.close(code=1003)
                return
            await websocket.send_text(f"ok: {message['text']}")
    except WebSocketDisconnect:
        pass
