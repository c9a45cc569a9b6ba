"""Revisions of a position: snapshots, the current one, and a readable diff."""
import difflib
import hashlib
import json
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload
from sqlalchemy import bindparam, func, select

from app.database import statement
from app.extensions import db
from app.handbook.models import Duty, PositionRevision
from app.org.models import Position


def duties_of(position: Position) -> list[Duty]:
    """The active top-level duties in order (sub-items via duty.items)."""
    return list(
        db.session.scalars(
            select(Duty)
            .where(Duty.position_id == position.id, Duty.parent_id.is_(None), Duty.active.is_(True))
            .order_by(Duty.sort_order, Duty.id).options(selectinload(Duty.children))
        )
    )


def snapshot(position: Position) -> dict:
    return {
        "title": position.title,
        "department": position.department,
        "is_external": position.is_external,
        "superiors": [p.title for p in position.superiors],
        "subordinates": [p.title for p in position.subordinates],
        "duties": [
            {
                "id": d.id,
                "text": d.text,
                "truncated": d.truncated,
                "items": [{"id": c.id, "text": c.text} for c in d.items],
            }
            for d in duties_of(position)
        ],
    }


def hash_duties(snap: dict) -> str:
    content = [[d["text"], [c["text"] for c in d["items"]]] for d in snap["duties"]]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def current_revision(position: Position | int) -> PositionRevision | None:
    pid = position if isinstance(position, int) else position.id
    return db.session.scalar(_current(), {"position": pid})


@statement
def _current():
    return (
        select(PositionRevision)
        .where(PositionRevision.position_id == bindparam("position"))
        .order_by(PositionRevision.number.desc())
        .limit(1)
    )


def current_revisions() -> dict[int, PositionRevision]:
    """position id -> its current revision, in one query."""
    latest = (
        select(PositionRevision.position_id, func.max(PositionRevision.number).label("n"))
        .group_by(PositionRevision.position_id)
        .subquery()
    )
    rows = db.session.scalars(
        select(PositionRevision).join(
            latest,
            (PositionRevision.position_id == latest.c.position_id) & (PositionRevision.number == latest.c.n),
        )
    )
    return {r.position_id: r for r in rows}


def add_revision(position: Position, *, author=None, author_name: str | None = None, note: str = "",
                 wording_only: bool = False) -> PositionRevision:
    """The position as it now is, saved as its next revision. `wording_only` (文字修改): the
    duties' meaning is unchanged, so whoever confirmed the previous revision need not
    confirm again (it keeps that revision's duties hash)."""
    snap = snapshot(position)
    previous = current_revision(position)
    revision = PositionRevision(
        position_id=position.id,
        number=(previous.number + 1) if previous else 1,
        author_id=getattr(author, "id", None),
        author_name=author_name or getattr(author, "name", None) or "系统",
        note=note,
        snapshot=snap,
        duties_hash=previous.duties_hash if wording_only and previous is not None else hash_duties(snap),
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def wording_only(revision: PositionRevision) -> bool:
    """Saved as 文字修改 (add_revision): its duties differ from those its holders confirm."""
    return revision.duties_hash != hash_duties(revision.snapshot)


def duties_changed_since(revision: PositionRevision) -> int:
    """Number of the earliest revision whose duties equal the given one's, counting back
    from it without a gap: confirmations of that revision or later are still valid."""
    numbers = db.session.execute(
        select(PositionRevision.number, PositionRevision.duties_hash)
        .where(PositionRevision.position_id == revision.position_id, PositionRevision.number <= revision.number)
        .order_by(PositionRevision.number.desc())
    ).all()
    earliest = revision.number
    for number, digest in numbers:
        if digest != revision.duties_hash:
            break
        earliest = number
    return earliest


def snapshot_entries(snap: dict) -> list[tuple[str, str, str]]:
    """The snapshot as (kind, label, text) rows: the unit of the diff. Numbers are labels,
    not content, so inserting a duty does not make every later duty look changed."""
    rows = [
        ("title", "岗位名称：", snap["title"]),
        ("department", "所属部门：", snap["department"]),
        ("superiors", "直属上级：", "、".join(snap["superiors"]) or "无"),
        ("subordinates", "直属下级：", "、".join(snap["subordinates"]) or "无"),
    ]
    for n, duty in enumerate(snap["duties"], start=1):
        rows.append(("duty", f"{n}.", duty["text"]))
        for m, item in enumerate(duty["items"], start=1):
            rows.append(("item", f"({m})", item["text"]))
    return rows


def snapshot_lines(snap: dict) -> list[str]:
    return [f"{label} {text}" if kind in ("duty", "item") else f"{label}{text}"
            for kind, label, text in snapshot_entries(snap)]


@dataclass
class DiffLine:
    kind: str  # "same", "add", "del", "change"
    old_label: str
    old: Markup
    new_label: str
    new: Markup


@dataclass
class DiffBlock:
    same: bool              # a run of unchanged lines (folded on the page)
    lines: list[DiffLine]


def fold(lines: list[DiffLine]) -> list[DiffBlock]:
    """The diff as runs: each run of unchanged lines one block, each change its own."""
    blocks: list[DiffBlock] = []
    for line in lines:
        if line.kind == "same" and blocks and blocks[-1].same:
            blocks[-1].lines.append(line)
        else:
            blocks.append(DiffBlock(line.kind == "same", [line]))
    return blocks


def _inline(a: str, b: str) -> tuple[Markup, Markup]:
    """Character-level marks inside a changed line (works for Chinese, no word breaks)."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    old, new = [], []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            old.append(escape(a[i1:i2]))
            new.append(escape(b[j1:j2]))
        else:
            if i2 > i1:
                old.append(Markup("<del>%s</del>") % a[i1:i2])
            if j2 > j1:
                new.append(Markup("<ins>%s</ins>") % b[j1:j2])
    return Markup("").join(old), Markup("").join(new)


SIMILAR = 0.5


def _similar(x: tuple, y: tuple) -> bool:
    return x[0] == y[0] and difflib.SequenceMatcher(None, x[2], y[2], autojunk=False).ratio() >= SIMILAR


def diff(old: dict, new: dict) -> list[DiffLine]:
    """Line diff of two snapshots; similar changed lines get character-level marks,
    unrelated ones show as removed and added."""
    a, b = snapshot_entries(old), snapshot_entries(new)
    key = lambda row: (row[0] if row[0] not in ("duty", "item") else "text", row[2])  # noqa: E731
    out: list[DiffLine] = []

    def gone(x):
        out.append(DiffLine("del", x[1], Markup("<del>%s</del>") % x[2], "", Markup("")))

    def added(y):
        out.append(DiffLine("add", "", Markup(""), y[1], Markup("<ins>%s</ins>") % y[2]))

    sm = difflib.SequenceMatcher(None, [key(r) for r in a], [key(r) for r in b], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out += [DiffLine("same", x[1], escape(x[2]), y[1], escape(y[2])) for x, y in zip(a[i1:i2], b[j1:j2])]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        j = 0
        for x in olds:
            match = next((k for k in range(j, len(news)) if _similar(x, news[k])), None)
            if match is None:
                gone(x)
                continue
            for y in news[j:match]:
                added(y)
            y = news[match]
            o, n = _inline(x[2], y[2])
            out.append(DiffLine("change", x[1], o, y[1], n))
            j = match + 1
        for y in news[j:]:
            added(y)
    return out
