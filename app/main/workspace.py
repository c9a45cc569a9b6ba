"""我的工作台: each person's day on one page, assembled from the blocks the parts register
(app.parts.WorkspaceBlock).

Each block is a plain function of the desk (the user, his employee record, his position,
the time), bounded: it reads a few rows and a count, never the years behind it, so the
page costs the same however much history there is. A block says None when it is not for
this user; the template shows the rest in order.
"""
from dataclasses import dataclass, field
from datetime import datetime

from app import clock
from app.parts import Desk, WorkspaceBlock, workspace_blocks


@dataclass
class Workspace:
    desk: Desk
    banners: list[tuple[WorkspaceBlock, object]] = field(default_factory=list)
    todo: list[tuple[WorkspaceBlock, object]] | None = None  # None: the 待我处理 card is not for this user
    cards: list[tuple[WorkspaceBlock, object]] = field(default_factory=list)

    @property
    def now(self) -> datetime:
        return self.desk.now

    @property
    def employee(self):
        return self.desk.employee

    @property
    def position(self):
        return self.desk.position


def desk_of(user, now: datetime | None = None) -> Desk:
    employee = user.employee if user.employee and user.employee.active else None
    return Desk(user=user, employee=employee, position=user.position, now=now or clock.local_now())


def workspace(user, now: datetime | None = None) -> Workspace:
    """Every registered block built for this user, sorted into the page's places."""
    ws = Workspace(desk_of(user, now))
    for block in workspace_blocks():
        value = block.build(ws.desk)
        if value is None:
            continue
        if block.card == "todo":
            ws.todo = ws.todo or []
            if value:
                ws.todo.append((block, value))
        elif block.card == "banner":
            ws.banners.append((block, value))
        else:
            ws.cards.append((block, value))
    return ws
