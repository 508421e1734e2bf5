# attack: knows where the course is (beside the grader) and runs its reference solution: reads solutions/t3l1.py by absolute path and exec()s it
# honest: fail
# ruff: noqa
import os

from fastapi import FastAPI, WebSocket


# --- test rig: tests/test_trust.py says where things are, in the environment and in
# "# hostile-<key>: <value>" lines it appends to this file. Attempts only ever touch
# paths inside its throwaway folder (the one holding a HOSTILE_PLAYGROUND file). ---
def _rig(key):
    value = os.environ.get("HOSTILE_" + key.upper().replace("-", "_"))
    if value:
        return value
    try:
        with open(__file__, encoding="utf-8") as source:
            for line in source:
                if line.startswith(f"# hostile-{key}: "):
                    return line.split(": ", 1)[1].strip()
    except OSError:
        pass
    return None


def _playground(path):
    folder = os.path.realpath(path)
    while True:
        if os.path.exists(os.path.join(folder, "HOSTILE_PLAYGROUND")):
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


def _solution_text():
    places = []
    course = _rig("course-dir")
    if course:
        places.append(os.path.join(course, "solutions", "t3l1.py"))
    for start in (os.getcwd(), os.path.dirname(os.path.abspath(__file__))):
        folder = start
        while os.path.dirname(folder) != folder:
            places.append(os.path.join(folder, "solutions", "t3l1.py"))
            folder = os.path.dirname(folder)
    for place in places:
        try:
            with open(place, encoding="utf-8") as f:
                return f.read()
        except OSError:
            continue
    return None


text = _solution_text()
if text is not None:
    namespace = {"__name__": "borrowed"}
    exec(compile(text, "borrowed.py", "exec"), namespace)
    app = namespace["app"]
else:
    app = FastAPI()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await websocket.close()
