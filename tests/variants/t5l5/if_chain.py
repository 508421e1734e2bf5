# expect-fail: reads envelopes with a discriminated union
import json

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/calc")
async def calc(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        try:
            message = json.loads(text)
            kind = message["type"]
            if kind == "add":
                reply = {"type": "result", "value": float(message["a"]) + float(message["b"])}
            elif kind == "mul":
                reply = {"type": "result", "value": float(message["a"]) * float(message["b"])}
            elif kind == "echo":
                reply = {"type": "echo", "text": str(message["text"])}
            else:
                raise ValueError(f"unknown type {kind}")
        except (ValueError, KeyError, TypeError) as exc:
            reply = {"type": "error", "detail": [str(exc)]}
        await websocket.send_json(reply)
