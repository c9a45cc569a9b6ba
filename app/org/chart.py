"""Rules of the org chart: reporting lines without cycles, who is below whom."""
from collections import defaultdict

from sqlalchemy import select

from app.audit.log import record
from app.extensions import db
from app.org.models import Position, ReportingLine


class OrgError(ValueError):
    """A change to the org chart that is refused; the message is shown to the user."""


def _edges() -> dict[int, set[int]]:
    """superior id -> ids of direct subordinates, in one query."""
    down: dict[int, set[int]] = defaultdict(set)
    for sup, sub in db.session.execute(
        select(ReportingLine.superior_id, ReportingLine.subordinate_id)
    ):
        down[sup].add(sub)
    return down


def positions_below(position_id: int, edges: dict[int, set[int]] | None = None) -> set[int]:
    """Ids of every position below position_id, directly or further down."""
    down = _edges() if edges is None else edges
    seen: set[int] = set()
    stack = list(down.get(position_id, ()))
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        stack.extend(down.get(pid, ()))
    return seen


def would_create_cycle(superior_id: int, subordinate_id: int) -> bool:
    """True if superior -> subordinate would make a position its own superior."""
    if superior_id == subordinate_id:
        return True
    return superior_id in positions_below(subordinate_id)


def add_line(superior: Position, subordinate: Position, *, inferred: bool = False) -> ReportingLine:
    if superior.id == subordinate.id:
        raise OrgError("岗位不能是自己的上级。")
    existing = db.session.scalar(
        select(ReportingLine).filter_by(superior_id=superior.id, subordinate_id=subordinate.id)
    )
    if existing:
        raise OrgError(f"「{subordinate.title}」已直属于「{superior.title}」。")
    if would_create_cycle(superior.id, subordinate.id):
        raise OrgError(
            f"不能设置：「{superior.title}」已在「{subordinate.title}」之下，"
            "这样会形成循环汇报关系。"
        )
    line = ReportingLine(superior_id=superior.id, subordinate_id=subordinate.id, inferred=inferred)
    db.session.add(line)
    db.session.flush()
    db.session.expire(superior, ["subordinate_lines"])
    db.session.expire(subordinate, ["superior_lines"])
    record(
        "line_add",
        "position",
        subordinate.id,
        summary=f"{subordinate.title} 直属上级：{superior.title}",
        after={"superior": superior.title, "subordinate": subordinate.title},
    )
    return line


def remove_line(line: ReportingLine) -> None:
    sup, sub = line.superior, line.subordinate
    db.session.delete(line)
    db.session.flush()
    db.session.expire(sup, ["subordinate_lines"])
    db.session.expire(sub, ["superior_lines"])
    record(
        "line_remove",
        "position",
        sub.id,
        summary=f"{sub.title} 不再直属于 {sup.title}",
        before={"superior": sup.title, "subordinate": sub.title},
    )


def create_position(title: str, department: str, is_external: bool) -> Position:
    title = title.strip()
    if not title:
        raise OrgError("请填写岗位名称。")
    if db.session.scalar(select(Position).filter_by(title=title)):
        raise OrgError(f"岗位「{title}」已存在。")
    max_order = db.session.scalar(select(db.func.max(Position.sort_order))) or 0
    position = Position(
        title=title, department=department.strip(), is_external=is_external, sort_order=max_order + 1
    )
    db.session.add(position)
    db.session.flush()
    record(
        "position_create",
        "position",
        position.id,
        summary=title,
        after={"title": title, "department": position.department, "is_external": is_external},
    )
    return position


def chart_levels(positions: list[Position]) -> list[list[Position]]:
    """Positions grouped into rows for drawing: each one row below its lowest superior."""
    by_id = {p.id: p for p in positions}
    ups: dict[int, list[int]] = {p.id: [] for p in positions}
    for p in positions:
        for line in p.superior_lines:
            if line.superior_id in by_id:
                ups[p.id].append(line.superior_id)
    depth: dict[int, int] = {}

    def level(pid: int) -> int:
        if pid not in depth:
            depth[pid] = 0  # guard; the chart has no cycles
            depth[pid] = 1 + max((level(s) for s in ups[pid]), default=-1)
        return depth[pid]

    rows: dict[int, list[Position]] = defaultdict(list)
    for p in positions:
        rows[level(p.id)].append(p)
    return [rows[k] for k in sorted(rows)]
