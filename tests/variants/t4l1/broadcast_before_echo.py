# expect-fail: the sender gets its echo, then the broadcast
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
connections: list[WebSocket] = []


@app.websocket("/ws/{client_id}")
async def chat(websocket: WebSocket, client_id: int):
    await websocket.accept()
    connections.append(websocket)
    try:
        while True:
            text = await websocket.receive_text()
            for connection in list(connections):
                await connection.send_text(f"Client #{client_id} says: {text}")
            await websocket.send_text(f"You wrote: {text}")
    except WebSocketDisconnect:
        connections.remove(websocket)
        for connection in list(connections):
            await connection.send_text(f"Client #{client_id} left the chat")
