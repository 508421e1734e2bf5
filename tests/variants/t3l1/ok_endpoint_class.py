# expect: pass
from fastapi import FastAPI
from starlette.endpoints import WebSocketEndpoint
from starlette.routing import WebSocketRoute


class Echo(WebSocketEndpoint):
    encoding = "text"

    async def on_receive(self, websocket, data):
        await websocket.send_text(f"Message text was: {data}")


app = FastAPI(routes=[WebSocketRoute("/ws", Echo)])
