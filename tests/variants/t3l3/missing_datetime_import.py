# expect-fail: answers with a timestamp
# Copied from a sample that forgot `from datetime import datetime`.
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            client_msg = await websocket.receive_text()
            server_response = f"[{datetime.now()}] Server received: {client_msg}"
            await websocket.send_text(server_response)
    except WebSocketDisconnect:
        print("Client disconnected")
