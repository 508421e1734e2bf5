# kind: import
# says: defines no `app`
from fastapi import FastAPI

application = FastAPI()
