"""Doing an inspection: start one, answer items (each answer saved on its own, so nothing
is lost), photos, submit with the score, reopen with a reason. Plain functions: they check,
write, flush and record the audit entry; the route commits (or rolls back on Refused)."""
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app import uploads
from app.audit.log import record
from app.audit.models import AuditEntry
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.inspections import schedules, scoring
from app.inspections.errors import Refused
from app.inspections.models import (DRAFT, SUBMITTED, CorrectiveAction, Inspection, InspectionAnswer, InspectionPhoto,
                                    InspectionTemplate, TemplateVersion)
from app.inspections.templates import Area

SUB = "inspections"  # upload folder of the photos
MAX_PHOTOS_PER_ITEM = 6


LIST_RESULTS = {"draft": "草稿", "pass": "合格", "fail": "不合格"}


def list_query(user_id: int, visible: list[str], inspectable: list[str], area: str = "", result: str = ""):
    """The inspections a user sees in the list, newest first: those of the areas he sees
    (drafts only of the areas he inspects) and his own; narrowed to one area and to a
    result (draft / pass / fail) when given."""
    stmt = (select(Inspection).options(selectinload(Inspection.version),
                                       selectinload(Inspection.inspector).joinedload(User.employee))
            .where(or_(Inspection.area_key.in_(visible), Inspection.inspector_id == user_id))
            .where(or_(Inspection.state == SUBMITTED, Inspection.inspector_id == user_id,
                       Inspection.area_key.in_(inspectable))))
    if area:
        stmt = stmt.where(Inspection.area_key == area)
    if result == "draft":
        stmt = stmt.where(Inspection.state == DRAFT)
    elif result in ("pass", "fail"):
        stmt = stmt.where(Inspection.state == SUBMITTED, Inspection.passed.is_(result == "pass"))
    return stmt.order_by(Inspection.started_at.desc(), Inspection.id.desc())


def ever_submitted(ids) -> set[int]:
    """Which of these inspections were submitted at some time (a draft now only because it
    was reopened for a correction): their submit is in the audit log, the one trace a
    reopen leaves. Such a draft is a past inspection, not a new one."""
    keys = [str(i) for i in ids]
    if not keys:
        return set()
    return {int(k) for k in db.session.scalars(
        select(AuditEntry.object_id).where(AuditEntry.object_type == "inspection", AuditEntry.object_id.in_(keys),
                                           AuditEntry.action == "inspection_submit").distinct())}


def open_draft(template: InspectionTemplate, area: Area, user) -> Inspection | None:
    """The user's own draft of this template for this area that he started and has not
    submitted yet (the newest, should there be several), or None. A reopened inspection is
    not one: it is a past inspection being corrected."""
    drafts = list(db.session.scalars(
        select(Inspection).join(TemplateVersion, Inspection.version_id == TemplateVersion.id)
        .where(Inspection.inspector_id == user.id, Inspection.area_key == area.key, Inspection.state == DRAFT,
               TemplateVersion.template_id == template.id)
        .order_by(Inspection.started_at.desc(), Inspection.id.desc()).limit(20)))
    past = ever_submitted(d.id for d in drafts)
    return next((d for d in drafts if d.id not in past), None)


def others_drafts(template: InspectionTemplate, area: Area, user) -> list[Inspection]:
    """Drafts of this template for this area that other people started and have not
    submitted (a reopened one is a correction, not a second inspection), oldest first."""
    drafts = list(db.session.scalars(
        select(Inspection).join(TemplateVersion, Inspection.version_id == TemplateVersion.id)
        .where(Inspection.inspector_id != user.id, Inspection.area_key == area.key, Inspection.state == DRAFT,
               TemplateVersion.template_id == template.id)
        .options(selectinload(Inspection.inspector))
        .order_by(Inspection.started_at, Inspection.id).limit(20)))
    past = ever_submitted(d.id for d in drafts)
    return [d for d in drafts if d.id not in past]


def start(template: InspectionTemplate, area: Area, user) -> Inspection:
    """A new draft inspection of the area, always (the demo; 开始 goes through
    resume_or_start)."""
    if not template.active or template.current is None:
        raise Refused("该模板已停用，不能再用于新的检查。", "template", 409)
    version = template.current
    insp = Inspection(version_id=version.id, area_key=area.key, area_name=area.name, state=DRAFT,
                      inspector_id=user.id)
    db.session.add(insp)
    db.session.flush()
    record("inspection_start", "inspection", insp.id,
           summary=f"{area.name}：{version.name}（第 {version.number} 版）", user=user)
    return insp


def resume_or_start(template: InspectionTemplate, area: Area, user) -> tuple[Inspection, bool]:
    """What 开始 does: the user's own draft of this template for this area that he has not
    submitted yet, or else a new one; (the inspection, True when it is the earlier draft).
    Two people each have their own draft. The user's row is locked while looking, so a
    double tap (two requests at once) gives one draft on PostgreSQL too (SQLite's writes
    are serialised by BEGIN IMMEDIATE)."""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    draft = open_draft(template, area, user)
    if draft is not None:
        return draft, True
    return start(template, area, user), False


def delete_draft(insp: Inspection, user) -> list:
    """Deletes a draft started by mistake or no longer wanted, with its answers and photos:
    the audit record keeps what it held (answers, notes, photo files). Returns the photos
    to remove from storage once committed (what is left by a crash in between is no row's
    any more, so the nightly uploads check removes it). Refused once submitted, and for a
    reopened inspection (it was submitted: correct and submit it again)."""
    if insp.state != DRAFT:
        raise Refused("已提交的检查不能删除。如需更正，请由检查人填写原因后退回为草稿，修改后重新提交。", None, 409)
    if ever_submitted([insp.id]) or db.session.scalar(
            select(CorrectiveAction.id).filter_by(inspection_id=insp.id).limit(1)):
        raise Refused("该检查曾经提交过（现为退回修改中的草稿），不能删除；请修改后重新提交。", None, 409)
    photos = list(insp.photos)
    before = {"area": insp.area_name, "template": insp.version.name, "version": insp.version.number,
              "started_at": insp.started_at,
              "answers": {a.item_key: {"value": a.value, "note": a.note} for a in insp.answers},
              "photos": [{"item": p.item_key, "file": p.key} for p in photos]}
    for row in photos + list(insp.answers):
        db.session.delete(row)
    db.session.flush()
    db.session.delete(insp)
    db.session.flush()
    record("inspection_delete", "inspection", insp.id,
           summary=f"删除草稿：{insp.area_name}：{insp.version.name}（已答 {len(before['answers'])} 项，照片 {len(photos)} 张）",
           before=before, user=user)
    return [("image", p.key) for p in photos]


def _editable(insp: Inspection) -> None:
    if insp.state != DRAFT:
        raise Refused("该检查已提交，不能再修改。如需更正，请由检查人填写原因后退回为草稿。", None, 409)


def _item(insp: Inspection, key: str) -> dict:
    item = insp.version.item(key)
    if item is None:
        raise Refused("检查项目不存在。", None, 404)
    return item


def answers_of(insp: Inspection) -> dict[str, InspectionAnswer]:
    return {a.item_key: a for a in insp.answers}


def answer(insp: Inspection, key: str, value: str | None, note: str | None, user) -> InspectionAnswer:
    """Saves one item's answer (value and/or note): `value` None keeps the value, `note`
    None keeps the note."""
    _editable(insp)
    item = _item(insp, key)
    row = answers_of(insp).get(key)
    stored = scoring.parse_value(item, value) if value is not None and value.strip() else None
    note = None if note is None else note.strip()
    if note is not None and len(note) > 500:
        raise Refused(f"「{item['question']}」的备注不能超过 500 字。", "note", items=[key])
    if row is None:
        row = InspectionAnswer(inspection_id=insp.id, item_key=key, value="", note="", user_id=user.id)
        db.session.add(row)
        insp.answers.append(row)
    before = {"value": row.value, "note": row.note}
    if stored is not None:
        row.value = stored
    if note is not None:
        row.note = note
    row.user_id = user.id
    db.session.flush()
    after = {"value": row.value, "note": row.note}
    if after != before:
        record("inspection_answer", "inspection", insp.id, summary=f"{item['question'][:40]}：{scoring.label(item, row.value)}",
               before=before, after=after, user=user)
    return row


def add_photo(insp: Inspection, key: str, upload, user, stored: list) -> InspectionPhoto:
    """A photo of an item, from the phone's camera: checked by content, upright, stripped
    and resized (uploads.store_image). `stored` gets what was written, for discard."""
    _editable(insp)
    item = _item(insp, key)
    if sum(1 for p in insp.photos if p.item_key == key and p.action_id is None) >= MAX_PHOTOS_PER_ITEM:
        raise Refused(f"「{item['question']}」最多 {MAX_PHOTOS_PER_ITEM} 张照片。", "photo", items=[key])
    data = upload.read() if upload is not None else b""
    if not data:
        raise Refused("请选择或拍摄一张照片。", "photo", items=[key])
    try:
        img = uploads.store_image(data, SUB)
    except uploads.StorageFull:
        raise
    except uploads.UploadError as exc:
        raise Refused(str(exc), "photo", items=[key]) from None
    stored.append(("image", img.key))
    photo = InspectionPhoto(inspection_id=insp.id, item_key=key, key=img.key, user_id=user.id)
    db.session.add(photo)
    insp.photos.append(photo)
    db.session.flush()
    record("inspection_photo", "inspection", insp.id, summary=f"{item['question'][:40]}：照片", user=user)
    return photo


def remove_photo(insp: Inspection, photo: InspectionPhoto, user) -> list:
    """Takes a photo off a draft (a wrong shot, a customer's face): the row goes, the audit
    log keeps who removed which one; returns what to remove from storage once committed.
    Not once submitted, and not a photo that is the 整改 evidence of a finding."""
    _editable(insp)
    if photo.inspection_id != insp.id or photo.action_id is not None:
        raise Refused("照片不存在。", None, 404)
    if db.session.scalar(select(CorrectiveAction.id).filter_by(inspection_id=insp.id, item_key=photo.item_key).limit(1)):
        raise Refused("该项目已下达整改，照片是整改依据，不能删除。", "photo", 409, items=[photo.item_key])
    item = insp.version.item(photo.item_key)
    question = item["question"] if item else photo.item_key
    insp.photos.remove(photo)
    db.session.delete(photo)
    db.session.flush()
    record("inspection_photo_delete", "inspection", insp.id, summary=f"{question[:40]}：删除照片",
           before={"photo": photo.id, "item": photo.item_key, "file": photo.key}, user=user)
    return [("image", photo.key)]


def discard(stored: list) -> None:
    uploads.discard(SUB, stored)


def photos_by_item(insp: Inspection) -> dict[str, list[InspectionPhoto]]:
    out: dict[str, list[InspectionPhoto]] = {}
    for p in insp.photos:
        if p.action_id is None:
            out.setdefault(p.item_key, []).append(p)
    return out


def current_score(insp: Inspection) -> scoring.Score:
    return scoring.score(insp.version.content, {k: a.value for k, a in answers_of(insp).items()},
                         insp.version.pass_mark)


def problems(insp: Inspection) -> list[tuple[str, str]]:
    """What stops a submit: [(item key, message)], empty when it may be submitted."""
    result = current_score(insp)
    answers, photos = answers_of(insp), photos_by_item(insp)
    out = [(i["key"], f"「{i['question']}」未作答") for i in result.unanswered]
    for item in result.failed:
        a = answers[item["key"]]
        if item.get("photo_on_fail") and not photos.get(item["key"]):
            out.append((item["key"], f"「{item['question']}」不合格，须拍照"))
        if item.get("note_on_fail") and not a.note:
            out.append((item["key"], f"「{item['question']}」不合格，须填写备注说明"))
    return out


def submit(insp: Inspection, user) -> scoring.Score:
    _editable(insp)
    missing = problems(insp)
    if missing:
        raise Refused("不能提交：" + "；".join(m for _, m in missing) + "。已填写的内容均已保存。", None, 422,
                      items=[k for k, _ in missing])
    result = current_score(insp)
    insp.state, insp.submitted_at = SUBMITTED, utcnow()
    insp.score, insp.passed = result.percent, result.passed
    insp.section_scores = [{"title": s.title, "percent": s.percent, "failed": s.failed} for s in result.sections]
    db.session.flush()
    schedules.tick_scheduled(insp, user)
    record("inspection_submit", "inspection", insp.id,
           summary=f"{insp.area_name}：{insp.version.name} 得分 {result.percent if result.percent is not None else '—'}"
                   f"（{'合格' if result.passed else '不合格'}，问题 {len(result.failed)} 项）",
           after={"score": result.percent, "passed": result.passed, "findings": len(result.failed)}, user=user)
    return result


def reopen(insp: Inspection, reason: str, user) -> None:
    """Back to a draft, by its inspector (or admin), with the reason; the score is kept in
    the audit record and computed again at the next submit."""
    if insp.state != SUBMITTED:
        raise Refused("只有已提交的检查可以退回为草稿。", None, 409)
    reason = (reason or "").strip()
    if not reason:
        raise Refused("请填写退回原因。", "reason")
    if len(reason) > 300:
        raise Refused("原因不能超过 300 字。", "reason")
    before = {"score": insp.score, "submitted_at": insp.submitted_at}
    insp.state, insp.submitted_at, insp.score, insp.passed, insp.section_scores = DRAFT, None, None, None, None
    db.session.flush()
    record("inspection_reopen", "inspection", insp.id, summary=f"退回为草稿：{reason}", before=before, user=user)


@dataclass
class Finding:
    """A failed item of a submitted inspection, with its answer, photos and actions."""
    item: dict
    answer: InspectionAnswer
    photos: list
    actions: list

    @property
    def live_action(self):
        return next((a for a in self.actions if a.state != "cancelled"), None)


def findings(insp: Inspection, actions: list) -> list[Finding]:
    answers, photos = answers_of(insp), photos_by_item(insp)
    out = []
    for item in insp.version.items():
        a = answers.get(item["key"])
        if a is not None and scoring.evaluate(item, a.value)[1]:
            out.append(Finding(item, a, photos.get(item["key"], []),
                               [x for x in actions if x.item_key == item["key"]]))
    return out


def latest(area_keys, limit: int = 50):
    return select(Inspection).where(Inspection.area_key.in_(list(area_keys))).order_by(Inspection.started_at.desc())


def referenced_keys() -> set[str]:
    """The photo keys rows refer to (for `flask uploads check`: folder SUB)."""
    return set(db.session.scalars(select(InspectionPhoto.key)))
