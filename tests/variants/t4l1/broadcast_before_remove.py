# expect-fail: a departure is announced to the others
# Announces the departure before forgetting the client: the first send goes to
# the client that just left, fails, and the others never hear of it.
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
            await websocket.send_text(f"You wrote: {text}")
            for connection in list(connections):
                await connection.send_text(f"Client #{client_id} says: {text}")
    except WebSocketDisconnect:
        for connection in list(connections):
            await connection.send_text(f"Client #{client_id} left the chat")
        connections.remove(websocket)
