from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/ticker")
async def ticker(websocket: WebSocket, every: float = 1.0) -> None:
    await websocket.accept()
    # Send {"tick": n} every `every` seconds while reading messages;
    # close with 1000 on "stop"; stop ticking when the client leaves.
