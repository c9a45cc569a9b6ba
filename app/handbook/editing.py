"""Editing a position: title, reporting lines and duties, saved as a new revision."""
from dataclasses import dataclass

from sqlalchemy import select

from app.audit.log import record
from app.extensions import db
from app.handbook.forms import MAX_DUTY
from app.handbook.models import Duty, PositionRevision
from app.handbook.provenance import ADOPT_NOTE
from app.handbook.revisions import (add_revision, current_revision, duties_of, hash_duties, snapshot,
                                    snapshot_lines)
from app.notices import rules as notices
from app.org.chart import cycle_through, set_lines
from app.org.models import Position


@dataclass
class DutyRow:
    id: int | None
    text: str
    sub: bool = False
    order: float = 0
    remove: bool = False


@dataclass
class PositionInput:
    title: str
    department: str
    is_external: bool
    superior_ids: set[int]
    subordinate_ids: set[int]
    duties: list[DutyRow]
    base_revision: int
    note: str = ""
    wording_only: bool = False  # 文字修改: those who confirmed need not confirm again


class EditError(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for msgs in errors.values() for m in msgs))
        self.errors = errors


class Conflict(Exception):
    def __init__(self, revision: PositionRevision):
        super().__init__(f"revision {revision.number} is newer")
        self.revision = revision



SPARE_ROWS = 3  # blank duty rows at the end of the editor


def fill_form(form, position: Position, revision: PositionRevision | None, draft_duties=None) -> None:
    """Show a position on its editor (PositionEditForm): its title and lines, the revision
    it is based on, its duties and sub-items in order with blank rows after them; rows of
    a reference draft (`draft_duties`, texts) first when the editor starts from it."""
    form.title.data = position.title
    form.department.data = position.department
    form.is_external.data = position.is_external
    form.superior_ids.data = [p.id for p in position.superiors]
    form.subordinate_ids.data = [p.id for p in position.subordinates]
    form.base_revision.data = str(revision.number if revision else 0)
    order = 0
    if draft_duties is not None:
        form.from_draft.data = "1"
        form.note.data = ADOPT_NOTE + "，经修改"
        for text in draft_duties:
            order += 10
            form.duties.append_entry({"id": "", "text": text, "order": order})
    for duty in duties_of(position):
        for d, sub in [(duty, False)] + [(c, True) for c in duty.items]:
            order += 10
            form.duties.append_entry({"id": str(d.id), "text": d.text, "sub": sub, "order": order})
    for _ in range(SPARE_ROWS):
        order += 10
        form.duties.append_entry({"id": "", "text": "", "order": order})


def input_from(form) -> PositionInput:
    """What the editor sent (a validated PositionEditForm), as save_position takes it: a
    row without a number keeps its place, an id or base revision that is no number is
    none (-1: never the current one)."""
    rows = []
    for i, entry in enumerate(form.duties.entries):
        f = entry.form
        raw_id = (f.id.data or "").strip()
        rows.append(DutyRow(
            id=int(raw_id) if raw_id.isdigit() else None,
            text=f.text.data or "",
            sub=bool(f.sub.data),
            order=f.order.data if f.order.data is not None else (i + 1) * 10,
            remove=bool(f.remove.data),
        ))
    base = form.base_revision.data or "0"
    return PositionInput(
        title=form.title.data or "",
        department=form.department.data or "",
        is_external=bool(form.is_external.data),
        superior_ids=set(form.superior_ids.data or []),
        subordinate_ids=set(form.subordinate_ids.data or []),
        duties=rows,
        base_revision=int(base) if base.isdigit() else -1,
        note=form.note.data or "",
        wording_only=bool(form.wording_only.data),
    )

def _validate(position: Position, data: PositionInput) -> list[DutyRow]:
    errors: dict[str, list[str]] = {}

    def err(key, msg):
        errors.setdefault(key, []).append(msg)

    title = data.title.strip()
    if not title:
        err("title", "岗位名称不能为空。")
    elif len(title) > 60:
        err("title", "岗位名称最多60字。")
    else:
        other = db.session.scalar(select(Position).where(Position.title == title, Position.id != position.id))
        if other:
            err("title", f"已有名为「{title}」的岗位，岗位名称不能重复。")
    if not data.department.strip():
        err("department", "所属部门不能为空。")
    elif len(data.department.strip()) > 60:
        err("department", "所属部门最多60字。")

    if position.id in data.superior_ids or position.id in data.subordinate_ids:
        err("superior_ids", "岗位不能是自己的上级或下级。")
    elif data.superior_ids & data.subordinate_ids:
        err("superior_ids", "同一岗位不能既是直属上级又是直属下级。")
    else:
        bad = cycle_through(position.id, data.superior_ids, data.subordinate_ids)
        if bad is not None:
            name = db.session.get(Position, bad).title
            err("superior_ids", f"不能保存：「{name}」已在本岗位之下，设为直属上级会形成循环汇报关系。")

    own_ids = set(db.session.scalars(select(Duty.id).where(Duty.position_id == position.id)))
    remaining: list[tuple[float, int, DutyRow]] = []
    for index, row in enumerate(data.duties):
        if row.id is None and not row.text.strip():
            continue  # a blank spare row
        if row.id is not None and row.id not in own_ids:
            err("duties", "职责数据有误，请刷新页面后重试。")
            continue
        if row.remove:
            continue
        if not row.text.strip():
            err("duties", f"第 {index + 1} 行职责内容为空；如需删除该条，请勾选“删除”。")
            continue
        if len(row.text.strip()) > MAX_DUTY:
            err("duties", f"第 {index + 1} 行职责超过{MAX_DUTY}字，请拆分为几条。")
            continue
        remaining.append((row.order, index, row))
    remaining.sort(key=lambda t: (t[0], t[1]))
    rows = [r for _, _, r in remaining]
    if rows and rows[0].sub:
        err("duties", "第一条职责不能是子项。")
    if errors:
        raise EditError(errors)
    return rows


def save_position(position: Position, data: PositionInput, author) -> PositionRevision | None:
    """Apply the edit and record a revision; None when nothing changed.
    Raises Conflict when someone saved a newer revision since `base_revision`,
    EditError with messages per field; in both cases nothing is changed."""
    current = current_revision(position)
    if current is not None and current.number != data.base_revision:
        raise Conflict(current)
    rows = _validate(position, data)
    before = snapshot(position)

    position.title = data.title.strip()
    position.department = data.department.strip()
    position.is_external = data.is_external
    set_lines(position, data.superior_ids, data.subordinate_ids)

    existing = {d.id: d for d in db.session.scalars(select(Duty).where(Duty.position_id == position.id))}
    saved_ids = set()
    parent: Duty | None = None
    top_order = sub_order = 0
    for row in rows:
        duty = existing.get(row.id) if row.id else None
        if duty is None:
            duty = Duty(position_id=position.id)
            db.session.add(duty)
        if duty.truncated and duty.text != row.text.strip():
            duty.truncated = False  # completed by an editor
        duty.text = row.text.strip()
        duty.active = True
        if row.sub:
            sub_order += 1
            duty.parent = parent
            duty.sort_order = sub_order
        else:
            top_order += 1
            sub_order = 0
            duty.parent = None
            duty.sort_order = top_order
            parent = duty
        db.session.flush()
        saved_ids.add(duty.id)
    for duty_id, duty in existing.items():
        if duty_id not in saved_ids and duty.active:
            duty.active = False  # kept for links and history; gone from the handbook
    db.session.flush()
    db.session.expire(position)

    after = snapshot(position)
    if snapshot_lines(after) == snapshot_lines(before) and after["is_external"] == before["is_external"]:
        return None
    wording_only = data.wording_only and hash_duties(after) != hash_duties(before)
    previous = current_revision(position)
    revision = add_revision(position, author=author, note=data.note.strip()[:200], wording_only=wording_only)
    if (previous is None or revision.duties_hash != previous.duties_hash) and after["duties"]:
        notices.revision_published(position, revision)  # the holders read and confirm again
    record(
        "position_revision", "position", position.id,
        summary=f"「{position.title}」第 {revision.number} 版" + (f"：{revision.note}" if revision.note else "")
        + ("（文字修改，已确认的员工无需重新确认）" if wording_only else ""),
        before={"lines": snapshot_lines(before)},
        after={"lines": snapshot_lines(after), "revision": revision.number, **({"wording_only": True} if wording_only else {})},
    )
    return revision
