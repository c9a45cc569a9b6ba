"""Revisions of a position: snapshots, the current one, and a readable diff."""
import difflib
import hashlib
import json
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import func, select

from app.extensions import db
from app.handbook.models import Duty, PositionRevision
from app.org.models import Position


def duties_of(position: Position) -> list[Duty]:
    """The active top-level duties in order (sub-items via duty.items)."""
    return list(
        db.session.scalars(
            select(Duty)
            .where(Duty.position_id == position.id, Duty.parent_id.is_(None), Duty.active.is_(True))
            .order_by(Duty.sort_order, Duty.id)
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
    return db.session.scalar(
        select(PositionRevision)
        .where(PositionRevision.position_id == pid)
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


def add_revision(position: Position, *, author=None, author_name: str | None = None, note: str = "") -> PositionRevision:
    snap = snapshot(position)
    previous = current_revision(position)
    revision = PositionRevision(
        position_id=position.id,
        number=(previous.number + 1) if previous else 1,
        author_id=getattr(author, "id", None),
        author_name=author_name or getattr(author, "name", None) or "系统",
        note=note,
        snapshot=snap,
        duties_hash=hash_duties(snap),
    )
    db.session.add(revision)
    db.session.flush()
    return revision


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


def snapshot_lines(snap: dict) -> list[str]:
    """The snapshot as numbered lines of text, the unit of the diff."""
    lines = [
        f"岗位名称：{snap['title']}",
        f"所属部门：{snap['department']}",
        f"直属上级：{'、'.join(snap['superiors']) or '无'}",
        f"直属下级：{'、'.join(snap['subordinates']) or '无'}",
    ]
    for n, duty in enumerate(snap["duties"], start=1):
        lines.append(f"{n}. {duty['text']}")
        for m, item in enumerate(duty["items"], start=1):
            lines.append(f"    ({m}) {item['text']}")
    return lines


@dataclass
class DiffLine:
    kind: str  # "same", "add", "del", "change"
    old: Markup
    new: Markup


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


def diff(old: dict, new: dict) -> list[DiffLine]:
    a, b = snapshot_lines(old), snapshot_lines(new)
    out: list[DiffLine] = []
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out += [DiffLine("same", escape(x), escape(x)) for x in a[i1:i2]]
        elif op == "replace":
            pairs = min(i2 - i1, j2 - j1)
            for k in range(pairs):
                o, n = _inline(a[i1 + k], b[j1 + k])
                out.append(DiffLine("change", o, n))
            out += [DiffLine("del", escape(x), Markup("")) for x in a[i1 + pairs:i2]]
            out += [DiffLine("add", Markup(""), escape(x)) for x in b[j1 + pairs:j2]]
        elif op == "delete":
            out += [DiffLine("del", escape(x), Markup("")) for x in a[i1:i2]]
        else:
            out += [DiffLine("add", Markup(""), escape(x)) for x in b[j1:j2]]
    return out
