# expect: pass
from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()


@app.websocket("/ws/session")
async def session(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            if "bytes" in message and message["bytes"] is not None:
                await websocket.close(code=status.WS_1003_UNSUPPORTED_DATA)
                break
            if message["text"] == "bye":
                await websocket.close(reason="done")
                break
            await websocket.send_text("ok: " + message["text"])
    except WebSocketDisconnect:
        pass
