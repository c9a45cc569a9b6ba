"""Rules of the org chart: reporting lines without cycles, who is below whom."""
from collections import defaultdict

from sqlalchemy import select

from app.audit.log import record
from app.database import statement
from app.extensions import db
from app.org.models import Position, ReportingLine


class OrgError(ValueError):
    """A change to the org chart that is refused; the message is shown to the user."""


def _edges() -> dict[int, set[int]]:
    """superior id -> ids of direct subordinates, in one query."""
    down: dict[int, set[int]] = defaultdict(set)
    for sup, sub in db.session.execute(_lines()):
        down[sup].add(sub)
    return down


@statement
def _lines():
    return select(ReportingLine.superior_id, ReportingLine.subordinate_id)


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


def cycle_through(position_id: int, superior_ids: set[int], subordinate_ids: set[int]) -> int | None:
    """If giving the position exactly these superiors and subordinates makes a cycle,
    return the id of a superior that would also sit below it; else None.
    Only edges touching the position change, so any new cycle passes through it."""
    edges = _edges()
    for sup in list(edges):
        edges[sup].discard(position_id)
    edges[position_id] = set(subordinate_ids)
    for sup in superior_ids:
        edges[sup].add(position_id)
    below = positions_below(position_id, edges)
    for sup in sorted(superior_ids):
        if sup == position_id or sup in below:
            return sup
    return None


def set_lines(position: Position, superior_ids: set[int], subordinate_ids: set[int]) -> None:
    """Replace the position's reporting lines (caller has checked cycle_through)."""
    for line in list(position.superior_lines):
        if line.superior_id not in superior_ids:
            db.session.delete(line)
    for line in list(position.subordinate_lines):
        if line.subordinate_id not in subordinate_ids:
            db.session.delete(line)
    have_up = {l.superior_id for l in position.superior_lines}
    have_down = {l.subordinate_id for l in position.subordinate_lines}
    for sup in superior_ids - have_up:
        db.session.add(ReportingLine(superior_id=sup, subordinate_id=position.id))
    for sub in subordinate_ids - have_down:
        db.session.add(ReportingLine(superior_id=position.id, subordinate_id=sub))
    db.session.flush()
    db.session.expire(position, ["superior_lines", "subordinate_lines"])


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


BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 128, 48, 18, 54, 10


def chart_layout(positions: list[Position], counts: dict[int, int]) -> dict:
    """Box positions and connector paths for an SVG org chart; `counts`: the head count
    of each position id, shown in its box (staff.models.head_counts).

    Rows come from chart_levels(); inside a row, boxes are ordered by the mean x of
    their superiors (barycentre), which keeps lines from crossing in a tree-like chart.
    """
    levels = chart_levels(positions)
    xs: dict[int, float] = {}
    boxes, width = [], 0
    row_widths = [len(row) * BOX_W + (len(row) - 1) * GAP_X for row in levels]
    total_w = max(row_widths, default=0) + 2 * PAD
    for depth, row in enumerate(levels):
        def key(p):
            ups = [xs[l.superior_id] for l in p.superior_lines if l.superior_id in xs]
            return (sum(ups) / len(ups) if ups else 0, p.sort_order, p.id)

        row = sorted(row, key=key) if depth else row
        start = (total_w - row_widths[depth]) / 2
        for i, p in enumerate(row):
            x = start + i * (BOX_W + GAP_X)
            y = PAD + depth * (BOX_H + GAP_Y)
            xs[p.id] = x + BOX_W / 2
            boxes.append({"position": p, "x": x, "y": y, "cx": x + BOX_W / 2})
        width = max(width, total_w)
    by_id = {b["position"].id: b for b in boxes}
    pairs = []
    for b in boxes:
        for line in b["position"].superior_lines:
            up = by_id.get(line.superior_id)
            if up is not None:
                pairs.append((up, b, line))
    # Each superior gets its own horizontal lane in the gap below its row, so lines of
    # different superiors never share a bus and read unambiguously.
    lanes: dict[float, list[int]] = defaultdict(list)
    for up, _, _ in sorted(pairs, key=lambda t: t[0]["x"]):
        if up["position"].id not in lanes[up["y"]]:
            lanes[up["y"]].append(up["position"].id)
    # A superior's drop that would run down the column of another superior's subordinate
    # (boxes of two rows line up) would read as a line to that box: it starts a quarter box
    # to the side instead.
    ends = defaultdict(set)  # (row, x) of a box an edge comes down to -> its superiors
    for up, b, _ in pairs:
        ends[b["y"], b["cx"]].add(up["position"].id)
    edges = []
    for up, b, line in pairs:
        row_lanes = lanes[up["y"]]
        k = row_lanes.index(up["position"].id)
        x1, y1 = up["cx"], up["y"] + BOX_H
        if ends.get((up["y"] + BOX_H + GAP_Y, x1), set()) - {up["position"].id}:  # the row below
            x1 += BOX_W / 4
        x2, y2 = b["cx"], b["y"]
        mid = y1 + GAP_Y * (k + 1) / (len(row_lanes) + 1)
        edges.append({"d": f"M{x1:.0f},{y1:.0f} V{mid:.0f} H{x2:.0f} V{y2:.0f}", "inferred": line.inferred,
                      "external": up["position"].is_external, "superior": up["position"].id})
    height = PAD * 2 + len(levels) * BOX_H + max(len(levels) - 1, 0) * GAP_Y
    return {"boxes": boxes, "edges": edges, "width": width, "height": height, "box_w": BOX_W, "box_h": BOX_H,
            "tree": chart_tree(positions), "counts": counts}


def chart_tree(positions: list[Position]) -> list[dict]:
    """The chart as a vertical tree, for a phone: each position under its first superior
    (by the chart's order), with the others named ("also reports to"); the tops first.
    Node: {"position", "children", "also": [titles]}."""
    ids = {p.id for p in positions}
    order = {p.id: (p.sort_order, p.id) for p in positions}
    by_id = {p.id: p for p in positions}
    children: dict[int, list[int]] = defaultdict(list)
    for p in positions:
        for line in p.superior_lines:
            if line.superior_id in ids:
                children[line.superior_id].append(p.id)
    placed: set[int] = set()

    def node(pid: int) -> dict:
        placed.add(pid)
        p = by_id[pid]
        kids = [node(c) for c in sorted(children[pid], key=order.get) if c not in placed]
        return {"position": p, "children": kids, "also": []}

    roots = [p.id for p in positions if not any(l.superior_id in ids for l in p.superior_lines)]
    tree = [node(r) for r in sorted(roots, key=order.get) if r not in placed]
    tree += [node(p.id) for p in positions if p.id not in placed]  # a cycle never happens; no one lost

    def walk(nodes, parent):
        for n in nodes:
            n["also"] = [by_id[l.superior_id].title for l in n["position"].superior_lines
                         if l.superior_id in ids and l.superior_id != parent]
            walk(n["children"], n["position"].id)

    walk(tree, None)
    return tree
