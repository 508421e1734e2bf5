# kind: error
# says: NameError: name 'datetime' is not defined at tests/hostile/name_error_datetime.py:15
# The seed article's chat sample, copied without `from datetime import datetime`.
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws")
async def websocket_chat(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            client_msg = await websocket.receive_text()
            server_response = f"[{datetime.now()}] Server received: {client_msg}"  # noqa: F821
            await websocket.send_text(server_response)
    except WebSocketDisconnect:
        print("Client disconnected")
