# expect-fail: a non-integer client id is refused
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
connections: list[WebSocket] = []


@app.websocket("/ws/{client_id}")
async def chat(websocket: WebSocket, client_id: str):
    await websocket.accept()
    connections.append(websocket)
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(f"You wrote: {text}")
            for connection in list(connections):
                await connection.send_text(f"Client #{client_id} says: {text}")
    except WebSocketDisconnect:
        connections.remove(websocket)
        for connection in list(connections):
            await connection.send_text(f"Client #{client_id} left the chat")
