"""盘点: a count session over one location or one category of the register.

Starting it writes the expected list into its lines (what the register says is there
and not lent out, with the pieces expected of a counted set); each line is then marked
found (with the pieces counted) / missing / found elsewhere; what turns up that was not on
the list is added as an extra (a registered item by its asset number, or free text).
While the count is open its lines follow the loans (`follow_loan`, in the same write as
the loan or the return): what is expected is what the register says now, an item lent out
since the start is expected away (借出中), one returned is expected back, and a line marked
before such a change waits for a recount (待复核).
Closing it needs every line counted (none 待复核), every difference explained and a name
that signs it; a closed count is kept as it was and is never reopened. Closing also corrects the
register (`register_changes`): an item found somewhere else gets that location, one not
found becomes 丢失待查, one that was 丢失待查 and turns up gets its state back; each with a
history entry and an audit record of its own. At most one count per location / category
is open at a time (a unique partial index holds it against two clerks at once). Plain functions: they validate,
write, flush and record the audit entry; the route commits (or rolls back on Refused).

Against a loan at the same moment (PostgreSQL; on SQLite every write transaction is
exclusive): rows are locked in one order, the item, then the count, then its line. A loan
locks its item by its UPDATE, then the open counts and the line; a start locks the items it
lists, a close the items of its lines and then the count, and reads the lines again. A
mark (a scan, an extra) locks the count and writes its line only if what is expected did
not change since it was read. While a count is open, the location, category and quantity
of the items it lists are frozen (rules.frozen_problem), and none of them is scrapped."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.audit.log import record
from app.database import utcnow
from app.equipment.models import (CATEGORIES, COUNT_CLOSED, COUNT_OPEN, COUNT_RESULTS, COUNT_SCOPES, ELSEWHERE, EXTRA,
                                  FOUND, IN_USE, LENT, LOST, MISSING, PENDING, RECHECK, REPAIR, SCRAPPED, STATES, Count,
                                  CountLine, Equipment, EquipmentEvent)
from app.equipment.rules import Refused, change_state
from app.extensions import db
from app.xlsxexport import Table

MARKS = (FOUND, MISSING, ELSEWHERE, LENT)  # LENT: a clerk confirms an item lent out since the start is away
# a line a person marked: a loan or a return that changes what it expects sends it back to 待复核
MARKED = (FOUND, MISSING, ELSEWHERE, RECHECK)


def _who(user) -> int | None:
    return getattr(user, "id", None)


def _scope_filter(scope: str, value: str):
    return Equipment.location == value if scope == "location" else Equipment.category == value


def locations() -> list[str]:
    return list(db.session.scalars(select(Equipment.location).where(Equipment.location != "", Equipment.state != SCRAPPED)
                                   .distinct().order_by(Equipment.location).limit(200)))


def _refuse_if_open(scope: str, value: str) -> None:
    open_one = db.session.scalar(select(Count.id).where(Count.scope == scope, Count.scope_value == value,
                                                        Count.status == COUNT_OPEN).limit(1))
    if open_one:
        raise Refused(f"{COUNT_SCOPES[scope]}“{value}”已有进行中的盘点 #{open_one}，请打开它继续，不能同时开始第二个。",
                      "scope_value", 409)


def start(scope: str, value: str, user) -> Count:
    value = (value or "").strip()
    if scope not in COUNT_SCOPES:
        raise Refused("请选择按位置还是按类别盘点。", "scope")
    if not value:
        raise Refused(f"请选择要盘点的{COUNT_SCOPES[scope]}。", "scope_value")
    if scope == "category" and value not in CATEGORIES:
        raise Refused("没有这个类别。", "scope_value")
    _refuse_if_open(scope, value)
    # locked (PostgreSQL): a loan of one of them waits for this count and then follows it
    items = list(db.session.scalars(select(Equipment).where(_scope_filter(scope, value), Equipment.state != SCRAPPED)
                                    .order_by(Equipment.asset_no).with_for_update()))
    if not items:
        raise Refused(f"台账中没有{COUNT_SCOPES[scope]}为“{value}”的设备。", "scope_value", 422)
    count = Count(scope=scope, scope_value=value, status=COUNT_OPEN, started_on=clock.local_now().date(),
                  started_by_id=_who(user))
    try:
        with db.session.begin_nested():  # another clerk's start committed since the check above
            db.session.add(count)
    except IntegrityError:
        _refuse_if_open(scope, value)
        raise Refused(f"{COUNT_SCOPES[scope]}“{value}”刚由他人开始盘点，请刷新后打开进行中的盘点。", "scope_value", 409)
    expected = [i for i in items if i.lent_qty < i.quantity]  # wholly lent out: not expected here
    db.session.add_all([CountLine(count_id=count.id, equipment_id=i.id, expected=True, expected_qty=i.quantity - i.lent_qty,
                                  register_location=i.location or "")
                        for i in expected])
    db.session.flush()
    record("equipment_count_start", "equipment_count", count.id, summary=f"开始盘点 #{count.id}（{count.scope_label}）",
           after={"scope": count.scope_label, "expected": len(expected), "lent": len(items) - len(expected)}, user=user)
    return count


def _open(count: Count, lock: bool = True) -> None:
    """Refused unless the count is open. `lock` (a write to it): its row is read again and
    locked first (PostgreSQL), so a mark made while another clerk signs the count waits for
    the close and is then refused, instead of changing a line of a signed count."""
    if lock:
        db.session.refresh(count, ["status", "closed_at"], with_for_update=True)
    if count.status != COUNT_OPEN:
        raise Refused(f"盘点 #{count.id} 已于 {clock.to_local(count.closed_at):%Y-%m-%d %H:%M} 结束，不能再修改。",
                      None, 409)


def _changed_words(before: int, now: int) -> str:
    return "已借出" if now < before else "已归还"


def mark(line: CountLine, result: str, user, counted_qty: int | None = None, found_location: str = "",
         seen_qty: int | None = None) -> CountLine:
    """One line of the expected list: found (the pieces counted, default all expected),
    missing, found elsewhere (where), or, for an item lent out since the count began,
    confirmed away on loan. `seen_qty`: the pieces expected as the page showed them; a loan
    or a return since then refuses the mark (the clerk looks again at what is expected now)."""
    _open(line.count)
    found_location = (found_location or "").strip()
    if not line.expected:
        raise Refused("清单外的物品无需标记。", "result")
    if result not in MARKS:
        raise Refused("请选择盘点结果。", "result")
    expected_qty = line.expected_qty
    if seen_qty is not None and seen_qty != expected_qty:
        raise Refused(f"{line.asset_no} {line.name} 在您打开本页后{_changed_words(seen_qty, expected_qty)}"
                      f"（应有 {seen_qty} → {expected_qty} 件），请按现在的清单复核后再记。", None, 409)
    if result == LENT and not line.on_loan:
        raise Refused(f"{line.asset_no} 没有全部借出，请按实盘记“在”或“缺失”。", "result")
    if result == MISSING and line.on_loan:
        raise Refused(f"{line.asset_no} 已全部借出，不在这里是正常的：请点“确认已借出”；如果在这里找到了，请记“在”。",
                      "result")
    if result == FOUND:
        counted_qty = (expected_qty or 1) if counted_qty is None else counted_qty
        if not 1 <= counted_qty <= 9999:
            raise Refused("实盘件数应在1到9999之间；一件都没有请选“缺失”。", "counted_qty")
    else:
        counted_qty = None
    if result == ELSEWHERE:
        if not found_location:
            raise Refused("请填写在哪里找到。", "found_location")
        if len(found_location) > 60:
            raise Refused("位置最多60字。", "found_location")
    else:
        found_location = ""
    before = {"result": COUNT_RESULTS[line.result], "counted": line.counted_qty}
    # written only if a loan or a return did not change what the line expects meanwhile
    written = db.session.execute(
        update(CountLine).where(CountLine.id == line.id, CountLine.expected_qty == expected_qty)
        .values(result=result, counted_qty=counted_qty, found_location=found_location, by_id=_who(user), at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(line)
    if written != 1:
        raise Refused(f"{line.asset_no} {line.name} 刚刚{_changed_words(expected_qty, line.expected_qty)}"
                      f"（应有 {expected_qty} → {line.expected_qty} 件），请按现在的清单复核后再记。", None, 409)
    what = COUNT_RESULTS[result] + (f" {counted_qty}/{line.expected_qty} 件" if result == FOUND and line.expected_qty != 1
                                    else "") + (f"（{found_location}）" if found_location else "")
    record("equipment_count_mark", "equipment_count", line.count_id,
           summary=f"盘点 #{line.count_id}：{line.asset_no} {line.name} {what}", before=before,
           after={"result": COUNT_RESULTS[result], "counted": counted_qty, "where": found_location or None}, user=user)
    return line


def find_item(asset_no: str) -> Equipment | None:
    asset_no = (asset_no or "").strip()
    if not asset_no:
        return None
    return db.session.scalar(select(Equipment).where(func.lower(Equipment.asset_no) == asset_no.lower()).limit(1))


# what a scan did (scan's second value)
SCANNED_FOUND, SCANNED_PIECES, SCANNED_EXTRA, SCANNED_AGAIN = "found", "pieces", "extra", "again"


def scan(count: Count, asset_no: str, user) -> tuple[CountLine, str]:
    """An asset number typed or scanned: its line and what was done. An item of one piece
    is marked found (SCANNED_FOUND; SCANNED_AGAIN if it was already); a set of several
    pieces is not marked (SCANNED_PIECES): the clerk counts its pieces on the page that
    shows this line next, since a scan cannot tell how many are there. An item not on the
    list becomes an extra (SCANNED_EXTRA)."""
    _open(count)
    asset_no = (asset_no or "").strip()
    if not asset_no:
        raise Refused("请输入或扫描资产编号。", "asset_no")
    item = find_item(asset_no)
    if item is None:
        raise Refused(f"资产编号 {asset_no[:40]} 不在台账中；如确有此物，请作为清单外物品登记。", "asset_no", 404)
    line = db.session.scalar(select(CountLine).where(CountLine.count_id == count.id, CountLine.equipment_id == item.id))
    if line is not None:
        if line.expected and line.expected_qty > 1:
            return line, SCANNED_PIECES
        if line.expected and line.result != FOUND:
            return mark(line, FOUND, user), SCANNED_FOUND
        return line, SCANNED_AGAIN
    line = CountLine(count_id=count.id, equipment_id=item.id, expected=False, result=EXTRA, expected_qty=0,
                     register_location=item.location or "",
                     counted_qty=1, by_id=_who(user), at=utcnow())
    count.lines.append(line)
    db.session.flush()
    record("equipment_count_mark", "equipment_count", count.id,
           summary=f"盘点 #{count.id}：清单外发现 {item.asset_no} {item.name}（台账位置：{item.location or '未填'}）",
           after={"result": COUNT_RESULTS[EXTRA], "asset_no": item.asset_no}, user=user)
    return line, SCANNED_EXTRA


def remove_extra(line: CountLine, user) -> str:
    """A line found outside the list taken back before the close (a label scanned by
    mistake, a typo): gone from the count, so the close neither asks about it nor moves the
    item. Lines of the list are corrected by marking them again. Returns what it was."""
    count = line.count
    _open(count)
    if line.expected:
        raise Refused("清单内的物品不能撤销，请按实盘重新记为“在”“缺失”或“在别处”。", None, 409)
    what = f"{line.asset_no} {line.name}" if line.equipment_id else line.label
    before = {"result": COUNT_RESULTS[EXTRA], "asset_no": line.asset_no or None, "label": line.label or None,
              "counted": line.counted_qty}
    count.lines.remove(line)
    db.session.delete(line)
    db.session.flush()
    record("equipment_count_mark", "equipment_count", count.id,
           summary=f"盘点 #{count.id}：撤销清单外登记 {what}（{line.counted_qty} 件）", before=before, user=user)
    return what


def add_extra(count: Count, label: str, user, quantity: int | None = 1) -> CountLine:
    """Something found that the register does not know (free text), with how many."""
    _open(count)
    label = (label or "").strip()
    if not label:
        raise Refused("请写明发现的物品。", "label")
    if len(label) > 120:
        raise Refused("物品说明最多120字。", "label")
    if find_item(label) is not None:
        raise Refused(f"{label} 是台账中的资产编号，请用上面的扫码/输入框登记。", "label")
    quantity = quantity or 1
    if not 1 <= quantity <= 9999:
        raise Refused("件数应在1到9999之间。", "extra_qty")
    line = CountLine(count_id=count.id, equipment_id=None, expected=False, label=label, result=EXTRA, expected_qty=0,
                     counted_qty=quantity, by_id=_who(user), at=utcnow())
    count.lines.append(line)
    db.session.flush()
    record("equipment_count_mark", "equipment_count", count.id, summary=f"盘点 #{count.id}：清单外发现 {label} {quantity} 件",
           after={"result": COUNT_RESULTS[EXTRA], "label": label, "counted": quantity}, user=user)
    return line


def close(count: Count, signed_name: str, explanations: dict[int, str], user, note: str = "") -> list:
    """Signs the count: every line counted, every difference explained (`explanations`:
    line id → text; one already written may stay), a name. The items' histories get a
    line each, and the register its corrections: the RegisterChanges applied, returned."""
    lines = _lock(count)
    _open(count, lock=False)  # _lock read and locked it
    signed_name = (signed_name or "").strip()
    note = (note or "").strip()
    recheck = [ln for ln in lines if ln.expected and ln.result == RECHECK]
    if recheck:
        raise Refused(f"有 {len(recheck)} 项在盘点开始后已借出或归还，需要复核（如 {recheck[0].asset_no} {recheck[0].name}）。"
                      "请回到盘点清单按现在的台账重新核对后再结束。", None, 422)
    pending = [ln for ln in lines if ln.expected and ln.result == PENDING]
    if pending:
        raise Refused(f"还有 {len(pending)} 项未盘（如 {pending[0].asset_no} {pending[0].name}），全部盘完才能结束。",
                      None, 422)
    for ln in lines:
        text = (explanations.get(ln.id, ln.explanation) or "").strip()
        if len(text) > 500:
            raise Refused(f"{ln.asset_no or ln.label} 的说明最多500字。", f"explain-{ln.id}")
        ln.explanation = text
    unexplained = [ln for ln in lines if ln.is_difference and not ln.explanation]
    if unexplained:
        raise Refused(f"有 {len(unexplained)} 项差异未说明原因（如 {unexplained[0].asset_no or ''} {unexplained[0].name}）。"
                      "每项差异都要写明原因才能结束盘点。", f"explain-{unexplained[0].id}", 422)
    if not signed_name:
        raise Refused("请填写盘点人签名（姓名）。", "signed_name")
    if len(signed_name) > 40:
        raise Refused("签名最多40字。", "signed_name")
    if len(note) > 500:
        raise Refused("备注最多500字。", "note")
    count.status, count.closed_at, count.closed_by_id = COUNT_CLOSED, utcnow(), _who(user)
    count.signed_name, count.note = signed_name, note
    today = clock.local_now().date()
    for ln in lines:
        if ln.equipment_id is None:
            continue
        text = f"盘点 #{count.id}（{count.scope_label}）：{ln.result_label}"
        if ln.result == FOUND and ln.expected_qty != 1:
            text += f" {ln.counted_qty}/{ln.expected_qty} 件"
        if ln.found_location:
            text += f"，在 {ln.found_location}"
        if ln.explanation:
            text += f"；{ln.explanation}"
        db.session.add(EquipmentEvent(equipment_id=ln.equipment_id, kind="count", happened_on=today, note=text[:500],
                                      user_id=_who(user)))
    db.session.flush()
    changes = register_changes(count)
    for ch in changes:
        _apply_change(count, ch, today, user)
    s = summary(count)
    record("equipment_count_close", "equipment_count", count.id,
           summary=f"结束盘点 #{count.id}（{count.scope_label}），差异 {s.differences} 项，签名 {signed_name}",
           after={"found": s.found, "missing": s.missing, "elsewhere": s.elsewhere, "extra": s.extra,
                  "differences": s.differences, "signed": signed_name, "register_changes": len(changes)}, user=user)
    return changes


def _lock(count: Count) -> list[CountLine]:
    """Before a close: its items, then the count itself, locked (PostgreSQL; the order a
    loan takes them in), and its lines read again, so that a loan or a return that changed
    one has committed before and is seen, or waits and then finds the count closed."""
    db.session.execute(select(Equipment.id).where(Equipment.id.in_(
        select(CountLine.equipment_id).where(CountLine.count_id == count.id, CountLine.equipment_id.is_not(None))))
        .order_by(Equipment.id).with_for_update())
    db.session.refresh(count, with_for_update=True)
    lines = list(db.session.scalars(select(CountLine).where(CountLine.count_id == count.id).order_by(CountLine.id)
                                    .options(selectinload(CountLine.equipment))
                                    .execution_options(populate_existing=True)))
    set_committed_value(count, "lines", lines)
    return lines


def follow_loan(item: Equipment, user) -> None:
    """After a loan or a return changed the pieces of `item` lent out (and maybe its
    quantity), in the same transaction: each open count whose list holds the item expects
    what the register says now — the pieces not lent out; none (借出中) when the whole item
    is out. A line a person already marked goes back to 待复核 (the count cannot close until
    it is counted again); one not yet marked simply expects the new figure. An item lent out
    when the count began and returned since joins the list. Each change has its audit record."""
    now_qty = max(item.quantity - item.lent_qty, 0)
    for count in open_counts_for(item, lock=True):
        line = db.session.scalar(select(CountLine).where(CountLine.count_id == count.id, CountLine.equipment_id == item.id)
                                 .order_by(CountLine.id).limit(1).with_for_update()
                                 .execution_options(populate_existing=True))
        if line is None:
            if now_qty and item.state != SCRAPPED:
                db.session.add(CountLine(count=count, equipment_id=item.id, expected=True, expected_qty=now_qty,
                                         register_location=item.location or ""))
                db.session.flush()
                record("equipment_count_mark", "equipment_count", count.id,
                       summary=f"盘点 #{count.id}：{item.asset_no} {item.name} 盘点开始后已归还，加入清单（应有 {now_qty} 件）",
                       after={"asset_no": item.asset_no, "expected": now_qty}, user=user)
            continue
        if not line.expected or line.expected_qty == now_qty:  # an extra is what was found; nothing else changed
            continue
        before_qty, before_result = line.expected_qty, line.result
        marked = line.result in MARKED or (line.result == LENT and line.at is not None)
        line.result = RECHECK if marked else (LENT if now_qty == 0 else PENDING)
        line.expected_qty = now_qty
        db.session.flush()
        what = f"盘点开始后{_changed_words(before_qty, now_qty)}，应有 {before_qty} → {now_qty} 件"
        if line.result == RECHECK:
            what += f"；已记的“{COUNT_RESULTS[before_result]}”需复核"
        elif line.result == LENT:
            what += "（借出中）"
        record("equipment_count_mark", "equipment_count", count.id,
               summary=f"盘点 #{count.id}：{item.asset_no} {item.name} {what}",
               before={"result": COUNT_RESULTS[before_result], "expected": before_qty},
               after={"result": line.result_label, "expected": now_qty}, user=user)


@dataclass
class RegisterChange:
    """What closing a count corrects on one item of the register."""
    line: CountLine
    item: Equipment
    location: str | None = None  # the new location
    state: str | None = None     # the new state

    @property
    def text(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(f"位置 {self.item.location or '未填'} → {self.location}")
        if self.state is not None:
            parts.append(f"状态 {STATES.get(self.item.state, self.item.state)} → {STATES[self.state]}")
        return "，".join(parts)


def _state_before_lost(item: Equipment) -> str:
    """The state an item marked 丢失待查 had before (在用 if the history does not say)."""
    before = db.session.scalar(select(EquipmentEvent.state_from).where(
        EquipmentEvent.equipment_id == item.id, EquipmentEvent.kind == "state", EquipmentEvent.state_to == LOST)
        .order_by(EquipmentEvent.id.desc()).limit(1))
    return before if before in STATES and before not in (LOST, SCRAPPED) else IN_USE


def register_changes(count: Count) -> list[RegisterChange]:
    """What closing `count` corrects on the register, as a clerk expects it: an item found
    elsewhere gets that location; a registered item found here although the register puts
    it somewhere else (an extra of a location count) gets this location; an item not found
    becomes 丢失待查 (not one 维修中: it is away for repair, the explanation says so);
    an item that was 丢失待查 and is found gets the state it had before. Set sizes (pieces
    short or over) are not written off: the difference and its explanation stay in the
    count and the item's history. Scrapped items are left as they are."""
    out = []
    for ln in count.lines:
        item = ln.equipment
        if item is None or item.state == SCRAPPED:
            continue
        location = state = None
        if ln.result == ELSEWHERE:
            location = ln.found_location
        elif ln.result == EXTRA and count.scope == "location":
            location = count.scope_value
        if location is not None and location == item.location:
            location = None
        if ln.result == MISSING:
            if item.state not in (LOST, REPAIR):
                state = LOST
        elif ln.result in (FOUND, ELSEWHERE, EXTRA) and item.state == LOST:
            state = _state_before_lost(item)
        if location is not None or state is not None:
            out.append(RegisterChange(ln, item, location, state))
    return out


def _apply_change(count: Count, ch: RegisterChange, today: date, user) -> None:
    item = ch.item
    if ch.location is not None:
        old = item.location
        item.location = ch.location
        db.session.add(EquipmentEvent(equipment_id=item.id, kind="edit", happened_on=today, user_id=_who(user),
                                      note=f"盘点 #{count.id} 更正位置：{old or '未填'} → {ch.location}"[:500]))
        db.session.flush()
        record("equipment_update", "equipment", item.id,
               summary=f"{item.asset_no} {item.name}：盘点 #{count.id} 更正位置为 {ch.location}",
               before={"location": old}, after={"location": ch.location}, user=user)
    if ch.state is not None:
        why = ch.line.explanation or ch.line.result_label
        reason = (f"盘点 #{count.id} 未找到：{why}" if ch.state == LOST else f"盘点 #{count.id} 找到：{why}")
        change_state(item, ch.state, today, reason[:500], user)


# --- reading -------------------------------------------------------------------------------------

@dataclass
class Summary:
    expected: int = 0
    pending: int = 0  # not marked yet, or 待复核
    found: int = 0
    missing: int = 0
    elsewhere: int = 0
    lent: int = 0  # lent out since the count began: expected away (借出中)
    recheck: int = 0  # marked, then lent or returned: counted again before the close
    extra: int = 0
    short: int = 0  # found, with fewer (or more) pieces than expected
    differences: int = 0

    @property
    def done(self) -> int:
        return self.expected - self.pending


def summary(count: Count) -> Summary:
    s = Summary()
    for ln in count.lines:
        if ln.expected:
            s.expected += 1
            s.pending += ln.result in (PENDING, RECHECK)
            s.recheck += ln.result == RECHECK
            s.found += ln.result == FOUND
            s.missing += ln.result == MISSING
            s.elsewhere += ln.result == ELSEWHERE
            s.lent += ln.result == LENT
            s.short += ln.result == FOUND and ln.counted_qty != ln.expected_qty
        else:
            s.extra += 1
        s.differences += ln.is_difference
    return s


def load(count_id: int) -> Count | None:
    return db.session.scalar(select(Count).where(Count.id == count_id).options(
        selectinload(Count.lines).selectinload(CountLine.equipment), selectinload(Count.lines).selectinload(CountLine.by),
        selectinload(Count.started_by), selectinload(Count.closed_by)))


def next_pending(count: Count) -> CountLine | None:
    """The line to count next: one waiting for a recount first, then the list in order."""
    return (next((ln for ln in count.lines if ln.expected and ln.result == RECHECK), None)
            or next((ln for ln in count.lines if ln.expected and ln.result == PENDING), None))


def open_counts_for(item: Equipment, lock: bool = False) -> list[Count]:
    """Open counts whose list this item belongs to (its location or its category);
    `lock`: their rows locked (PostgreSQL), for a write that changes their lines."""
    conds = [(Count.scope == "category") & (Count.scope_value == item.category)]
    if item.location:
        conds.append((Count.scope == "location") & (Count.scope_value == item.location))
    stmt = select(Count).where(Count.status == COUNT_OPEN, or_(*conds)).order_by(Count.id).limit(5)
    return list(db.session.scalars(stmt.with_for_update() if lock else stmt))


def running_for(item: Equipment) -> list[tuple[Count, CountLine | None]]:
    """The open counts of this item with its line in each (None: not on the list), for the
    notice on the lend and return forms."""
    running = open_counts_for(item)
    if not running:
        return []
    lines = {ln.count_id: ln for ln in db.session.scalars(select(CountLine).where(
        CountLine.count_id.in_([c.id for c in running]), CountLine.equipment_id == item.id))}
    return [(c, lines.get(c.id)) for c in running]


@dataclass
class Moves:
    """The loans and returns of one item recorded while a count was open (its history
    entries, oldest first)."""
    events: list

    @property
    def word(self) -> str:
        kinds = {ev.kind for ev in self.events}
        return {frozenset({"loan"}): "已借出", frozenset({"return"}): "已归还"}.get(frozenset(kinds), "已借出、归还")

    @property
    def texts(self) -> list[str]:
        return [f"{clock.to_local(ev.at):%m-%d %H:%M} {ev.note}" for ev in self.events]


def loan_events(count: Count) -> dict[int, Moves]:
    """The loans and returns of the count's items recorded while it was open (item id →
    Moves), in one statement: what each line shows under it and the result sheet lists."""
    stmt = (select(EquipmentEvent).where(
        EquipmentEvent.kind.in_(("loan", "return")), EquipmentEvent.at >= count.started_at,
        EquipmentEvent.equipment_id.in_(select(CountLine.equipment_id).where(CountLine.count_id == count.id,
                                                                              CountLine.equipment_id.is_not(None))))
        .order_by(EquipmentEvent.id).limit(500))
    if count.closed_at is not None:
        stmt = stmt.where(EquipmentEvent.at <= count.closed_at)
    out: dict[int, Moves] = {}
    for ev in db.session.scalars(stmt):
        out.setdefault(ev.equipment_id, Moves([])).events.append(ev)
    return out


def export_table(count: Count) -> Table:
    """The count as a typed table (.xlsx / CSV): one row per line, with the loans and
    returns of its item while the count was open."""
    rows = []
    moves = loan_events(count)
    for ln in count.lines:
        item = ln.equipment
        rows.append([ln.asset_no or None, ln.name, item.category if item else None,
                     ln.listed_location or None, ln.expected_qty if ln.expected else None,
                     ln.result_label, ln.counted_qty if ln.result in (FOUND, EXTRA) else (0 if ln.result == MISSING else None),
                     ln.found_location or None, "是" if ln.is_difference else "", ln.explanation or None,
                     ln.by.name if ln.by else None, clock.to_local(ln.at) if ln.at else None,
                     "；".join(moves[ln.equipment_id].texts) if ln.equipment_id in moves else None])
    header = ["资产编号", "名称", "类别", "台账位置", "应有件数", "结果", "实盘件数", "发现位置", "差异", "差异说明",
              "记录人", "记录时间", "盘点期间借还"]
    return Table(f"盘点{count.id} {count.scope_value}", header, rows)


def counts_by_scope(limit: int = 200) -> list[tuple[str, list[Count]]]:
    """Every count (open ones first), grouped by what it covered, the latest first."""
    counts = list(db.session.scalars(select(Count).options(selectinload(Count.closed_by))
                                     .order_by(Count.status == COUNT_CLOSED, Count.id.desc()).limit(limit)))
    groups: dict[str, list[Count]] = {}
    for c in counts:
        groups.setdefault(c.scope_label, []).append(c)
    return list(groups.items())


def today() -> date:
    return clock.local_now().date()
