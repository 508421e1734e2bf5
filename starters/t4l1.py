from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/{client_id}")
async def chat(websocket: WebSocket, client_id: int) -> None:
    await websocket.accept()
    # Remember every connected websocket. For each text m from this client:
    # "You wrote: m" to it, then "Client #<id> says: m" to everyone.
    # When it leaves: "Client #<id> left the chat" to the others.
