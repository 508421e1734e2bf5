# kind: import
# says: imports a module that is not installed: 'websocket_helpers_that_do_not_exist'
import websocket_helpers_that_do_not_exist  # noqa: F401
from fastapi import FastAPI

app = FastAPI()
