"""操作日志: every state change's record, and the browser of them (admin)."""
from flask import Flask

from app.audit import routes
from app.parts import Part, add


def register(app: Flask) -> None:
    add(app, Part("audit", blueprint=routes.bp))
