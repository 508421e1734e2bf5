# kind: import
# says: called sys.exit() while being imported
import sys

from fastapi import FastAPI

app = FastAPI()
sys.exit("configuration missing")
