# expect-fail: the sender gets its echo, then the broadcast
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
clients: dict[int, WebSocket] = {}


@app.websocket("/ws/{client_id}")
async def chat(websocket: WebSocket, client_id: int):
    await websocket.accept()
    clients[client_id] = websocket
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(f"You wrote: {text}")
            for other_id, other in list(clients.items()):
                if other_id != client_id:
                    await other.send_text(f"Client #{client_id} says: {text}")
    except WebSocketDisconnect:
        del clients[client_id]
        for other in list(clients.values()):
            await other.send_text(f"Client #{client_id} left the chat")
