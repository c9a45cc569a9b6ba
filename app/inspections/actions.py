"""Corrective actions (整改), a small state machine; never deleted.

    open ──done (note + after photo, by the assignee)──▶ done
    done ──close (verified by the inspector or a supervisor, not the assignee)──▶ closed
    done ──reopen (with a reason)──▶ open
    open/done ──cancel (with a reason)──▶ cancelled

Each step is an ActionEvent row and an audit record; the assignee gets a notice when an
action is given to him or sent back, the one who assigned it when it is done; an open
action past its due date is overdue (red), noticed once per action and due date."""
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import clock, uploads
from app.audit.log import record
from app.database import utcnow
from app.extensions import db
from app.inspections import inspecting, scoring
from app.inspections.errors import Refused
from app.inspections.models import (CANCELLED, CLOSED, DONE, OPEN, SUBMITTED, ActionEvent, CorrectiveAction,
                                    Inspection, InspectionPhoto)
from app.notices import rules as notices
from app.staff.models import Employee

TRANSITIONS = {"done": {OPEN}, "close": {DONE}, "reopen": {DONE}, "cancel": {OPEN, DONE}, "reassign": {OPEN}}
MAX_TEXT = 500


def _event(action: CorrectiveAction, kind: str, note: str, user) -> None:
    db.session.add(ActionEvent(action_id=action.id, kind=kind, note=note, user_id=getattr(user, "id", None)))


def _text(value: str | None, field: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise Refused(f"请填写{what}。", field)
    if len(text) > MAX_TEXT:
        raise Refused(f"{what}不能超过 {MAX_TEXT} 字。", field)
    return text


def _events(action: CorrectiveAction) -> int:
    """How many steps the action has had: keys a notice per step."""
    return db.session.scalar(select(func.count(ActionEvent.id)).filter_by(action_id=action.id)) or 0


def _link(action: CorrectiveAction) -> str:
    return notices.url_for("inspections.action", action_id=action.id)


def assign(insp: Inspection, item_key: str, assignee_id: int | None, due_on: date | None, what: str | None,
           user, today: date | None = None) -> CorrectiveAction:
    """An action for a finding of a submitted inspection."""
    today = today or clock.local_now().date()
    if insp.state != SUBMITTED:
        raise Refused("检查提交后才能下达整改。", None, 409)
    item = insp.version.item(item_key)
    answer = inspecting.answers_of(insp).get(item_key)
    if item is None or answer is None or not scoring.evaluate(item, answer.value)[1]:
        raise Refused("该项目不是本次检查发现的问题。", None, 404)
    if db.session.scalar(select(CorrectiveAction.id).filter_by(inspection_id=insp.id, item_key=item_key)
                         .where(CorrectiveAction.state.in_((OPEN, DONE))).limit(1)):
        raise Refused("该问题已有进行中的整改。", None, 409)
    assignee = db.session.get(Employee, assignee_id) if assignee_id else None
    if assignee is None or not assignee.active:
        raise Refused("请选择整改责任人。", "assignee")
    if due_on is None:
        raise Refused("请填写整改期限。", "due_on")
    if due_on < today:
        raise Refused("整改期限不能早于今天。", "due_on")
    text = _text(what, "what", "整改要求")
    action = CorrectiveAction(inspection_id=insp.id, item_key=item_key, finding=item["question"][:300], what=text,
                              assignee_id=assignee.id, due_on=due_on, state=OPEN, created_by_id=user.id)
    db.session.add(action)
    db.session.flush()
    _event(action, "assign", text, user)
    db.session.flush()
    record("inspection_action_assign", "inspection_action", action.id,
           summary=f"{insp.area_name}「{action.finding[:40]}」→ {assignee.name}，期限 {due_on:%Y-%m-%d}", user=user)
    notices.notify([notices.account_of(assignee)], f"insp-action:{action.id}", "inspection",
                   f"您有一项整改：{insp.area_name}「{action.finding[:40]}」，期限 {due_on:%m-%d}。", _link(action))
    return action


def _step(action: CorrectiveAction, step: str) -> None:
    if action.state not in TRANSITIONS[step]:
        messages = {"done": "该整改不在待整改状态，不能登记完成。", "close": "该整改尚未登记完成，不能验证关闭。",
                    "reopen": "只有待验证的整改可以退回。", "cancel": "已关闭或已取消的整改不能再取消。",
                    "reassign": "只有待整改的整改可以改派。"}
        raise Refused(messages[step], None, 409)


def _settle_earlier(action: CorrectiveAction) -> None:
    """A step taken answers what the action's earlier notices asked (整改, 改派, 请验证, 被退回,
    已逾期): they count as read, so the bell counts what is still to do, not a 请验证 of an
    action closed since."""
    notices.settle_all(keys=[f"insp-action:{action.id}"],
                       prefixes=[f"{kind}:{action.id}:" for kind in ("insp-action", "insp-action-done",
                                                                       "insp-action-reopen", "insp-overdue")])


def record_done(action: CorrectiveAction, note: str | None, upload, user, stored: list) -> None:
    """The assignee says what he did, with a photo of the result."""
    _step(action, "done")
    text = _text(note, "note", "整改情况说明")
    data = upload.read() if upload is not None else b""
    if not data:
        raise Refused("请上传整改后的照片。", "photo")
    try:
        img = uploads.store_image(data, inspecting.SUB)
    except uploads.StorageFull:
        raise
    except uploads.UploadError as exc:
        raise Refused(str(exc), "photo") from None
    stored.append(("image", img.key))
    db.session.add(InspectionPhoto(inspection_id=action.inspection_id, item_key=action.item_key, action_id=action.id,
                                   key=img.key, user_id=user.id))
    action.state, action.done_note = DONE, text
    _settle_earlier(action)
    _event(action, "done", text, user)
    db.session.flush()
    record("inspection_action_done", "inspection_action", action.id, summary=f"「{action.finding[:40]}」整改完成：{text[:80]}",
           user=user)
    notices.notify([action.created_by] if action.created_by else [], f"insp-action-done:{action.id}:{_events(action)}",
                   "inspection", f"整改「{action.finding[:40]}」已完成，请验证。", _link(action))


def close(action: CorrectiveAction, note: str | None, user) -> None:
    """Verified by someone other than the assignee."""
    _step(action, "close")
    if user.employee_id is not None and user.employee_id == action.assignee_id:
        raise Refused("整改须由检查人或主管验证，责任人不能验证自己的整改。", None, 403)
    if not action.after_photos:
        raise Refused("该整改没有整改后照片，不能验证关闭。", None, 409)
    text = (note or "").strip()[:MAX_TEXT]
    action.state, action.closed_at, action.closed_by_id = CLOSED, utcnow(), user.id
    _settle_earlier(action)
    _event(action, "close", text, user)
    db.session.flush()
    record("inspection_action_close", "inspection_action", action.id, summary=f"「{action.finding[:40]}」验证关闭", user=user)


def reopen(action: CorrectiveAction, reason: str | None, user) -> None:
    _step(action, "reopen")
    text = _text(reason, "reason", "退回原因")
    action.state, action.reason = OPEN, text
    _settle_earlier(action)
    _event(action, "reopen", text, user)
    db.session.flush()
    record("inspection_action_reopen", "inspection_action", action.id, summary=f"「{action.finding[:40]}」退回重改：{text[:80]}",
           user=user)
    notices.notify([notices.account_of(action.assignee)], f"insp-action-reopen:{action.id}:{_events(action)}", "inspection",
                   f"整改「{action.finding[:40]}」被退回：{text[:60]}", _link(action))


def cancel(action: CorrectiveAction, reason: str | None, user) -> None:
    _step(action, "cancel")
    text = _text(reason, "reason", "取消原因")
    action.state, action.reason = CANCELLED, text
    _settle_earlier(action)
    _event(action, "cancel", text, user)
    db.session.flush()
    record("inspection_action_cancel", "inspection_action", action.id, summary=f"「{action.finding[:40]}」取消：{text[:80]}",
           user=user)


def reassign(action: CorrectiveAction, assignee_id: int | None, reason: str | None, user) -> None:
    """改派: an action still to be done given to someone else (its holder left, or is the
    wrong person), with the reason; the new holder is told, the old one's notices settle."""
    _step(action, "reassign")
    assignee = db.session.get(Employee, assignee_id) if assignee_id else None
    if assignee is None or not assignee.active:
        raise Refused("请选择新的整改责任人。", "assignee")
    if assignee.id == action.assignee_id:
        raise Refused(f"{assignee.name} 已是该整改的责任人。", "assignee")
    text = _text(reason, "reason", "改派原因")
    before = action.assignee.name if action.assignee else None
    _settle_earlier(action)
    action.assignee_id = assignee.id
    _event(action, "reassign", f"{before or '—'} → {assignee.name}：{text}", user)
    db.session.flush()
    record("inspection_action_reassign", "inspection_action", action.id,
           summary=f"「{action.finding[:40]}」改派 {before or '—'} → {assignee.name}：{text[:80]}",
           before={"assignee": before}, after={"assignee": assignee.name, "reason": text}, user=user)
    notices.notify([notices.account_of(assignee)], f"insp-action:{action.id}:{_events(action)}", "inspection",
                   f"您有一项整改（改派）：{action.inspection.area_name}「{action.finding[:40]}」，期限 {action.due_on:%m-%d}。",
                   _link(action))


# --- lists ---------------------------------------------------------------------------------

def open_actions(area_keys=None, assignee_id: int | None = None, states=(OPEN, DONE), limit: int = 500):
    stmt = (select(CorrectiveAction).join(Inspection, CorrectiveAction.inspection_id == Inspection.id)
            .where(CorrectiveAction.state.in_(states))
            .options(selectinload(CorrectiveAction.assignee), selectinload(CorrectiveAction.inspection))
            .order_by(CorrectiveAction.due_on, CorrectiveAction.id))
    if area_keys is not None:
        stmt = stmt.where(Inspection.area_key.in_(list(area_keys)))
    if assignee_id is not None:
        stmt = stmt.where(CorrectiveAction.assignee_id == assignee_id)
    return list(db.session.scalars(stmt.limit(limit)))


def open_for_leaver(employee, by=None) -> list[str]:
    """Part.on_leave: the 整改 still to be done by someone who just left, for whoever
    recorded it (they are cancelled and given to someone else from the 整改清单)."""
    mine = open_actions(assignee_id=employee.id, states=(OPEN,), limit=50)
    if not mine:
        return []
    what = "、".join(f"{a.finding or a.what}"[:20] for a in mine[:3]) + (" 等" if len(mine) > 3 else "")
    return [f"{employee.name} 还有 {len(mine)} 项整改未完成（{what}），请在整改清单中打开并改派给他人。"]


def overdue_notices(now: datetime | None = None) -> int:
    """Every open action past its due date: a notice to the assignee and to whoever assigned
    it, once per action and due date (safe to run every hour)."""
    now = now or clock.local_now()
    rows = db.session.scalars(select(CorrectiveAction).where(CorrectiveAction.state == OPEN,
                                                             CorrectiveAction.due_on < now.date())
                              .options(selectinload(CorrectiveAction.assignee),
                                       selectinload(CorrectiveAction.created_by),
                                       selectinload(CorrectiveAction.inspection))).all()
    made = 0
    for a in rows:
        made += notices.notify([notices.account_of(a.assignee), a.created_by], f"insp-overdue:{a.id}:{a.due_on}",
                               "inspection", f"整改已逾期：{a.inspection.area_name}「{a.finding[:40]}」（责任人 "
                               f"{a.assignee.name}，期限 {a.due_on:%m-%d}）。", _link(a))
    return made
