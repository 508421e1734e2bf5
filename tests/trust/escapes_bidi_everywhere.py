# attack: bidi overrides and C1 controls (U+202E, U+2066, U+009B CSI) in answers, a close reason, printed output and an exception message, to reorder or steer what the instructor reads
# honest: fail
# ruff: noqa
from fastapi import FastAPI, WebSocket

TRICK = "\u202e\u2066ssap\u2069 \x9b2J\x9d0;pwned\x9c \u200f\u061c"
print("printed:", TRICK)

app = FastAPI()
calls = 0


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    global calls
    calls += 1
    await websocket.accept()
    text = await websocket.receive_text()
    print("got", text, TRICK)
    if calls % 3 == 1:
        raise ValueError(TRICK)
    if calls % 3 == 2:
        await websocket.send_text(TRICK + text)
    await websocket.close(code=1011, reason=TRICK[:20])
