"""A t3l2 attempt that puts markup everywhere a report shows learner text.

It prints a script tag, answers with frames that try to close the SVG and
open a script, closes with a reason full of markup, and raises an exception
whose message is an image tag with an onerror handler. Every HTML page must
show all of it as text.
"""

from fastapi import FastAPI, WebSocket

app = FastAPI()

SCRIPT = "<script>document.title='pwned';console.error('pwned')</script>"


@app.websocket("/ws")
async def router(websocket: WebSocket) -> None:
    print(SCRIPT, flush=True)
    await websocket.accept()
    async for msg in websocket.iter_json():
        if msg.get("type") == "ping":
            await websocket.send_json({"type": "pong"})
        elif "hello" in msg:
            raise ValueError("<img src=x onerror=\"console.error('pwned')\">")
        elif msg.get("n") == 2:
            await websocket.close(1008, "</title><script>console.error('pwned')</script>")
            return
        else:
            await websocket.send_text("</text></svg><script>console.error('pwned')</script>" + SCRIPT)
