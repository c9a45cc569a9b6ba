"""The org chart: positions and reporting lines."""
from flask import Flask

from app.org import routes
from app.parts import Part, add

AUDIT_LABELS = {
    "position_create": "新增岗位",
    "position_update": "修改岗位",
    "line_add": "新增汇报关系",
    "line_remove": "删除汇报关系",
}


def register(app: Flask) -> None:
    add(app, Part("org", blueprint=routes.bp, audit_labels=AUDIT_LABELS, object_labels={"position": "岗位"}))
