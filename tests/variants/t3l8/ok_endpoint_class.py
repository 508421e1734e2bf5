# expect: pass
from fastapi import FastAPI
from starlette.endpoints import WebSocketEndpoint
from starlette.routing import WebSocketRoute


class Session(WebSocketEndpoint):
    encoding = None  # receive raw messages of either kind

    async def on_receive(self, websocket, data):
        if isinstance(data, bytes):
            await websocket.close(code=1003, reason="binary")
        elif data == "bye":
            await websocket.close(code=1000, reason="done")
        else:
            await websocket.send_text(f"ok: {data}")


app = FastAPI(routes=[WebSocketRoute("/ws/session", Session)])
