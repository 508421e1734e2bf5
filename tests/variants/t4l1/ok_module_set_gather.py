# expect: pass
import asyncio

from fastapi import FastAPI, WebSocket

app = FastAPI()
room: set[WebSocket] = set()


async def announce(text: str) -> None:
    # Order per client is all that matters: each one still gets messages in sequence.
    await asyncio.gather(*(peer.send_text(text) for peer in list(room)))


@app.websocket("/ws/{client_id}")
async def chat(websocket: WebSocket, client_id: int):
    await websocket.accept()
    room.add(websocket)
    try:
        async for text in websocket.iter_text():
            await websocket.send_text(f"You wrote: {text}")
            await announce(f"Client #{client_id} says: {text}")
    finally:
        room.discard(websocket)
    await announce(f"Client #{client_id} left the chat")
