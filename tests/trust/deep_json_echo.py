# attack: answers every message with JSON nested 5000 deep (RecursionError in json.loads), then with a 5000-digit number
# honest: fail
# ruff: noqa
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    answers = ["[" * 5000 + "]" * 5000, "9" * 5000, '{"a": ' * 3000 + "NaN" + "}" * 3000]
    try:
        while True:
            await websocket.receive_text()
            await websocket.send_text(answers[0])
            answers.append(answers.pop(0))
    except WebSocketDisconnect:
        pass
