# kind: error
# says: Read-only file system | write only inside its working folder
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    async for text in websocket.iter_text():
        with open("../../outside.txt", "w") as out:
            out.write(text)
        await websocket.send_text(f"Message text was: {text}")
