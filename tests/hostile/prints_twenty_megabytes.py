# kind: refused
# says: no WebSocket route of your app matches /ws
from fastapi import FastAPI

print("spam " * (4 * 1024 * 1024))
app = FastAPI()
