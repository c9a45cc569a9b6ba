"""Counts (盘点): the expected list, marks, scans and extras, closing with every difference
explained and signed (rules called directly and through the pages, HTMX included), the
count sheet PDF (blank and result: text and fonts), the .xlsx read back with openpyxl, and
the register's CSV import with its preview."""
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.equipment import counts, loans, rules as register
from app.equipment.models import Count, CountLine, Equipment, EquipmentEvent, Loan
from app.extensions import db
from app.staff.models import Employee
from tests.conftest import race
from tests.pdftools import assert_cjk_fonts_embedded, pdftotext
from tests.test_equipment import item_data, today


def tool(asset_no, location="工具室", quantity=1, category="专用工具", name=None) -> dict:
    return item_data(asset_no=asset_no, name=name or f"工具{asset_no}", category=category, location=location,
                     quantity=quantity, needs_verification=False, verify_months=None)


def workshop():
    """工具室: ZG-01 (a set of 12), ZG-02, ZG-03 (lent out), ZG-04 (scrapped); 3号工位: QD-01."""
    items = {no: register.create(tool(no, quantity=12 if no == "ZG-01" else 1), None)
             for no in ("ZG-01", "ZG-02", "ZG-03", "ZG-04")}
    items["QD-01"] = register.create(tool("QD-01", "3号工位", category="气动/电动工具", name="气动扳手"), None)
    he = Employee(employee_no="T1", name="何师傅")
    db.session.add(he)
    db.session.flush()
    loans.lend(items["ZG-03"], he.id, today() + timedelta(days=1), None)
    register.change_state(items["ZG-04"], "scrapped", today(), "断裂", None)
    return items


def by_asset(count) -> dict:
    return {ln.asset_no or ln.label: ln for ln in count.lines}


# --- the rules -------------------------------------------------------------------------------------

def test_the_expected_list_is_what_is_there_and_not_lent(app):
    with app.app_context():
        workshop()
        count = counts.start("location", "工具室", None)
        lines = by_asset(count)
        assert sorted(lines) == ["ZG-01", "ZG-02"]  # ZG-03 lent, ZG-04 scrapped, QD-01 elsewhere
        assert lines["ZG-01"].expected_qty == 12
        with pytest.raises(register.Refused) as exc:
            counts.start("location", "工具室", None)
        assert exc.value.status == 409 and f"#{count.id}" in str(exc.value)
        with pytest.raises(register.Refused) as exc:
            counts.start("location", "月球", None)
        assert "没有位置为“月球”的设备" in str(exc.value)
        by_category = counts.start("category", "气动/电动工具", None)
        assert [ln.asset_no for ln in by_category.lines] == ["QD-01"]


def test_marks_scans_extras_and_a_signed_close(app):
    with app.app_context():
        items = workshop()
        count = counts.start("location", "工具室", None)
        lines = by_asset(count)
        with pytest.raises(register.Refused) as exc:
            counts.mark(lines["ZG-01"], "found", None, counted_qty=0)
        assert exc.value.field == "counted_qty"
        counts.mark(lines["ZG-01"], "found", None, counted_qty=11)
        line, what = counts.scan(count, " zg-02 ", None)  # a scanner types it; case does not matter
        assert what == "found" and line is lines["ZG-02"] and line.result == "found"
        assert counts.scan(count, "ZG-02", None) == (line, "again")
        # a set of 12: a scan cannot tell how many are there; it is shown to count, not marked
        assert counts.scan(count, "ZG-01", None) == (lines["ZG-01"], "pieces") and lines["ZG-01"].counted_qty == 11
        extra, what = counts.scan(count, "QD-01", None)  # a registered item found here
        assert what == "extra" and not extra.expected and extra.result == "extra"
        with pytest.raises(register.Refused) as exc:
            counts.scan(count, "XX-99", None)
        assert exc.value.status == 404 and "不在台账中" in str(exc.value)
        counts.add_extra(count, "无标签的扭力扳手", None, 2)
        s = counts.summary(count)
        assert (s.expected, s.pending, s.found, s.short, s.extra, s.differences) == (2, 0, 2, 1, 2, 3)
        db.session.commit()
        # every difference explained, and a name
        with pytest.raises(register.Refused) as exc:
            counts.close(count, "陈晓燕", {lines["ZG-01"].id: "一个套筒送修"}, None)
        assert "2 项差异未说明原因" in str(exc.value)
        db.session.rollback()
        count = db.session.get(Count, count.id)
        explain = {ln.id: "说明" for ln in count.lines if ln.is_difference}
        with pytest.raises(register.Refused) as exc:
            counts.close(count, "  ", explain, None)
        assert exc.value.field == "signed_name"
        db.session.rollback()
        count = db.session.get(Count, count.id)
        counts.close(count, "陈晓燕", explain, None)
        assert count.status == "closed" and count.signed_name == "陈晓燕" and count.closed_at is not None
        with pytest.raises(register.Refused) as exc:
            counts.mark(count.lines[0], "missing", None)
        assert exc.value.status == 409
        history = db.session.scalars(select(EquipmentEvent.note).filter_by(equipment_id=items["ZG-01"].id, kind="count"))
        assert [n for n in history if "11/12 件" in n and "一个套筒送修" not in n]  # "说明" was given
        actions = dict(db.session.execute(select(AuditEntry.action, func.count()).group_by(AuditEntry.action)).all())
        assert actions["equipment_count_start"] == 1 and actions["equipment_count_close"] == 1
        assert actions["equipment_count_mark"] == 4


def test_a_count_with_items_not_counted_cannot_close(app):
    with app.app_context():
        workshop()
        count = counts.start("location", "工具室", None)
        counts.mark(by_asset(count)["ZG-02"], "missing", None)
        with pytest.raises(register.Refused) as exc:
            counts.close(count, "陈晓燕", {}, None)
        assert "还有 1 项未盘" in str(exc.value)
        with pytest.raises(register.Refused) as exc:
            counts.mark(by_asset(count)["ZG-01"], "elsewhere", None, found_location="")
        assert exc.value.field == "found_location"


def _history(item_id) -> list[tuple[str, str]]:
    return list(db.session.execute(select(EquipmentEvent.kind, EquipmentEvent.note).filter_by(equipment_id=item_id)
                                   .order_by(EquipmentEvent.id)).all())


def _close_all(count, words="说明"):
    counts.close(count, "陈晓燕", {ln.id: words for ln in count.lines if ln.is_difference}, None)


def test_closing_a_count_corrects_the_register(app):
    """Not found: 丢失待查 (one 维修中 stays 维修中: it is away for repair); found elsewhere:
    that location; a registered item found here: this location; found again later: the
    state it had before. Each with a history entry and an audit record; nothing changes
    before the count is signed."""
    with app.app_context():
        items = workshop()
        extra_repair = register.create(tool("ZG-05"), None)
        register.change_state(extra_repair, "repair", today(), "送修", None)
        count = counts.start("location", "工具室", None)
        lines = by_asset(count)
        counts.mark(lines["ZG-01"], "elsewhere", None, found_location="2号工位")
        counts.mark(lines["ZG-02"], "missing", None)
        counts.mark(lines["ZG-05"], "missing", None)
        counts.scan(count, "QD-01", None)  # registered at 3号工位, found in 工具室
        assert items["ZG-02"].state == "in_use" and items["ZG-01"].location == "工具室"  # not before the close
        assert {ch.item.asset_no: ch.text for ch in counts.register_changes(count)} == {
            "ZG-01": "位置 工具室 → 2号工位", "ZG-02": "状态 在用 → 丢失待查", "QD-01": "位置 3号工位 → 工具室"}
        before = db.session.scalar(select(func.max(AuditEntry.id)))
        _close_all(count, "找过整个车间")
        db.session.commit()
        assert (items["ZG-01"].location, items["ZG-01"].state) == ("2号工位", "in_use")
        assert (items["ZG-02"].location, items["ZG-02"].state, items["ZG-02"].state_label) == ("工具室", "lost", "丢失待查")
        assert items["QD-01"].location == "工具室"
        assert extra_repair.state == "repair"
        assert ("state", f"盘点 #{count.id} 未找到：找过整个车间") in _history(items["ZG-02"].id)
        assert ("edit", f"盘点 #{count.id} 更正位置：工具室 → 2号工位") in _history(items["ZG-01"].id)
        assert ("edit", f"盘点 #{count.id} 更正位置：3号工位 → 工具室") in _history(items["QD-01"].id)
        audit = db.session.execute(select(AuditEntry.action, AuditEntry.object_id).where(AuditEntry.id > before)).all()
        assert sorted(audit) == sorted([("equipment_update", str(items["ZG-01"].id)),
                                        ("equipment_state", str(items["ZG-02"].id)),
                                        ("equipment_update", str(items["QD-01"].id)), ("equipment_count_close", str(count.id))])
        # the next count finds the lost one somewhere else: back in use, at that place
        again = counts.start("category", "专用工具", None)
        for ln in again.lines:
            if ln.asset_no == "ZG-02":
                counts.mark(ln, "elsewhere", None, found_location="洗车房")
            else:
                counts.mark(ln, "found", None)
        _close_all(again, "找到了")
        db.session.commit()
        assert (items["ZG-02"].state, items["ZG-02"].location) == ("in_use", "洗车房")
        assert ("state", f"盘点 #{again.id} 找到：找到了") in _history(items["ZG-02"].id)


def test_a_count_without_differences_changes_nothing_on_the_register(app):
    with app.app_context():
        items = workshop()
        count = counts.start("location", "工具室", None)
        for ln in count.lines:
            counts.mark(ln, "found", None)
        assert counts.register_changes(count) == []
        snapshot = {no: (e.location, e.state) for no, e in items.items()}
        _close_all(count)
        db.session.commit()
        assert {no: (e.location, e.state) for no, e in items.items()} == snapshot
        assert not db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action.in_(["equipment_update", "equipment_state"]), AuditEntry.summary.like("%盘点%")))


def test_the_database_holds_one_open_count_per_scope(app):
    """Even a writer that skips the check in counts.start (a second request racing the
    first) cannot open a second count of the same location."""
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        workshop()
        first = counts.start("location", "工具室", None)
        db.session.commit()
        db.session.add(Count(scope="location", scope_value="工具室", status="open", started_on=today()))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        # another scope, or the same one once the first is closed, is fine
        counts.start("category", "专用工具", None)
        for ln in db.session.get(Count, first.id).lines:
            counts.mark(ln, "found", None)
        _close_all(db.session.get(Count, first.id))
        db.session.commit()
        assert counts.start("location", "工具室", None).id != first.id


def test_a_start_that_loses_the_race_gets_a_message(app, monkeypatch):
    """The case of two requests that both passed the check: the index refuses the second,
    which gets the message, not an error page."""
    with app.app_context():
        workshop()
        first = counts.start("location", "工具室", None)
        db.session.commit()
        calls = []
        real = counts._refuse_if_open
        monkeypatch.setattr(counts, "_refuse_if_open", lambda *a: calls.append(a) if len(calls) == 0 else real(*a))
        with pytest.raises(register.Refused) as exc:
            counts.start("location", "工具室", None)
        assert exc.value.status == 409 and f"已有进行中的盘点 #{first.id}" in str(exc.value)
        db.session.rollback()
        assert db.session.scalar(select(func.count(Count.id))) == 1


# --- a count follows the loans made while it is open -------------------------------------------

def _loans_workshop():
    """工具室 as in workshop() (ZG-03 wholly lent to 何师傅 before the count), plus ZG-09, a
    set of 9 with 4 pieces lent to 马超, and ZG-15, one piece; 林涛 borrows."""
    items = workshop()
    items["ZG-09"] = register.create(tool("ZG-09", quantity=9, name="高压系统绝缘工具组"), None)
    items["ZG-15"] = register.create(tool("ZG-15", name="冷却系统测压仪"), None)
    ma, lin = Employee(employee_no="T2", name="马超"), Employee(employee_no="T3", name="林涛")
    db.session.add_all([ma, lin])
    db.session.flush()
    ma_loan = loans.lend(items["ZG-09"], ma.id, today() + timedelta(days=1), None, 4)
    return items, ma_loan, lin


def test_an_open_count_expects_what_the_register_says_after_each_loan_and_return(app):
    """The tester's walk: with the 工具室 count open, ZG-15 is lent to 林涛 and 马超 brings
    back his 4 pieces of ZG-09 with one missing (register 9 → 8). The count then expects
    ZG-15 out on loan (not on the shelf) and 8 pieces of ZG-09; a line marked before its
    item was lent waits for a recount, and the count cannot close until it is done."""
    with app.app_context():
        items, ma_loan, lin = _loans_workshop()
        count = counts.start("location", "工具室", None)
        lines = by_asset(count)
        assert (lines["ZG-09"].expected_qty, lines["ZG-15"].expected_qty) == (5, 1) and "ZG-03" not in lines
        counts.mark(lines["ZG-02"], "found", None)  # counted before it is lent

        loans.lend(items["ZG-15"], lin.id, today() + timedelta(days=2), None)
        assert (lines["ZG-15"].result, lines["ZG-15"].expected_qty, lines["ZG-15"].result_label) == ("lent", 0, "借出中")
        loans.give_back(ma_loan, "missing", None, "少一件", 1, "reduce")
        assert items["ZG-09"].quantity == 8
        assert (lines["ZG-09"].result, lines["ZG-09"].expected_qty) == ("", 8)  # not counted yet: simply expects 8
        loans.lend(items["ZG-02"], lin.id, today() + timedelta(days=2), None)
        assert (lines["ZG-02"].result, lines["ZG-02"].result_label) == ("recheck", "待复核")
        # ZG-03 was away when the count began; back now, it joins the list
        loans.give_back(db.session.scalar(select(Loan).filter_by(equipment_id=items["ZG-03"].id)), "ok", None)
        lines = by_asset(db.session.get(Count, count.id))
        assert (lines["ZG-03"].expected, lines["ZG-03"].expected_qty, lines["ZG-03"].result) == (True, 1, "")

        s = counts.summary(count)
        assert (s.expected, s.pending, s.recheck, s.lent) == (5, 4, 1, 1)
        assert counts.next_pending(count) is lines["ZG-02"]  # the recount comes first
        moves = counts.loan_events(count)
        assert "借给 林涛" in moves[items["ZG-15"].id].texts[0] and moves[items["ZG-15"].id].word == "已借出"
        assert moves[items["ZG-09"].id].word == "已归还" and "缺 1 件" in moves[items["ZG-09"].id].texts[0]

        # a tap on what the page showed before the return is refused, and says why
        with pytest.raises(register.Refused) as exc:
            counts.mark(lines["ZG-09"], "found", None, seen_qty=5)
        assert exc.value.status == 409 and "已归还（应有 5 → 8 件）" in str(exc.value)
        # an item out on loan is not "missing" here; the clerk confirms it is away
        with pytest.raises(register.Refused) as exc:
            counts.mark(lines["ZG-15"], "missing", None)
        assert "已全部借出" in str(exc.value)
        for no in ("ZG-01", "ZG-03"):
            counts.mark(lines[no], "found", None)
        counts.mark(lines["ZG-09"], "found", None, seen_qty=8)
        db.session.commit()
        with pytest.raises(register.Refused) as exc:
            _close_all(count)
        assert "1 项在盘点开始后已借出或归还，需要复核" in str(exc.value) and "ZG-02" in str(exc.value)
        db.session.rollback()

    with app.app_context():
        count = db.session.scalars(select(Count)).one()
        lines = by_asset(count)
        assert lines["ZG-02"].result == "recheck"  # the refused close changed nothing
        counts.mark(lines["ZG-02"], "lent", None, seen_qty=0)
        _close_all(count)
        db.session.commit()
        assert count.status == "closed" and counts.summary(count).differences == 0
        assert counts.register_changes(count) == []  # out on loan is not lost
        history = [n for k, n in _history(lines["ZG-15"].equipment_id) if k == "count"]
        assert history == [f"盘点 #{count.id}（位置：工具室）：借出中"]
        # a closed count is kept as it was: later loans leave it alone
        zg09 = lines["ZG-09"].equipment
        loans.lend(zg09, db.session.scalar(select(Employee.id).filter_by(name="林涛")), today() + timedelta(days=1), None, 2)
        db.session.commit()
        assert db.session.get(CountLine, lines["ZG-09"].id).expected_qty == 8
        follows = db.session.scalars(select(AuditEntry.summary).where(AuditEntry.action == "equipment_count_mark",
                                                                      AuditEntry.summary.like("%盘点开始后%"))).all()
        assert any("ZG-02" in t and "已记的“在”需复核" in t for t in follows)
        assert any("ZG-03" in t and "加入清单" in t for t in follows)


def test_a_found_item_lent_out_and_found_again_is_a_difference(app):
    """Found on the shelf although the register says it is out on loan: a difference to
    explain; an item marked missing before it was lent (the clerk at the desk found it)
    goes back to 待复核."""
    with app.app_context():
        items, _, lin = _loans_workshop()
        count = counts.start("location", "工具室", None)
        lines = by_asset(count)
        counts.mark(lines["ZG-15"], "missing", None)
        loans.lend(items["ZG-15"], lin.id, today() + timedelta(days=1), None)
        assert lines["ZG-15"].result == "recheck"
        counts.mark(lines["ZG-15"], "found", None)  # still here: the loan was recorded, the tool not taken
        assert lines["ZG-15"].is_difference and lines["ZG-15"].counted_qty == 1
        assert counts.summary(count).short == 1


def _counted_workshop(app) -> tuple[int, dict, int]:
    """工具室 counted (every line 在) and committed; 马超 to borrow."""
    with app.app_context():
        items = workshop()
        count = counts.start("location", "工具室", None)
        for ln in count.lines:
            counts.mark(ln, "found", None)
        ma = Employee(employee_no="T2", name="马超")
        db.session.add(ma)
        db.session.commit()
        return count.id, {no: e.id for no, e in items.items()}, ma.id


def _in_app(app, fn):
    def go():
        with app.app_context():
            try:
                result = fn()
                db.session.commit()
                return result
            except register.Refused as exc:
                db.session.rollback()
                return f"refused: {exc}"
            finally:
                db.session.remove()
    return go


def _second_waits(app, monkeypatch, holder, first, second) -> tuple[dict, bool]:
    """Runs `first` in a thread, held inside `holder` (a function of counts, patched to run
    and then wait) until `second`, started in another thread, has had a second to finish;
    then lets both finish. Their results by name, and whether `second` was still waiting
    when `first` was let go."""
    import threading

    name = holder.__name__
    held, release = threading.Event(), threading.Event()
    real = getattr(counts, name)

    def run_then_hold(*args):
        out = real(*args)
        held.set()
        release.wait(10)
        return out

    monkeypatch.setattr(counts, name, run_then_hold)
    results = {}
    threads = [threading.Thread(target=lambda k=k, fn=fn: results.__setitem__(k, _in_app(app, fn)()))
               for k, fn in (first, second)]
    threads[0].start()
    assert held.wait(10)
    threads[1].start()
    threads[1].join(1)
    waited = threads[1].is_alive()
    release.set()
    for t in threads:
        t.join(20)
    return results, waited


def test_a_count_signed_while_a_loan_is_being_recorded_waits_for_it(app, monkeypatch):
    """One clerk lends ZG-02 (counted 在) and, while that loan is being written (the count's
    line already sent back to 待复核, not yet committed), another signs the count. The
    close waits for the loan and is then refused (ZG-02 待复核); it never signs a count
    whose line a loan changes underneath it."""
    count_id, ids, ma_id = _counted_workshop(app)
    results, waited = _second_waits(
        app, monkeypatch, counts.follow_loan,
        ("lend", lambda: loans.lend(db.session.get(Equipment, ids["ZG-02"]), ma_id, today() + timedelta(days=1), None)
         and "lent"),
        ("close", lambda: counts.close(counts.load(count_id), "陈晓燕", {}, None) and "closed"))
    assert results["lend"] == "lent" and waited, results
    assert "需要复核（如 ZG-02" in results["close"], results
    with app.app_context():
        count = db.session.get(Count, count_id)
        assert count.status == "open" and by_asset(count)["ZG-02"].result == "recheck"


def test_a_tap_and_a_loan_at_the_same_moment_leave_the_line_to_be_looked_at(app):
    """A clerk taps 在 on ZG-02 (not yet counted) while another lends it: either the tap
    comes first and the loan sends the line to 待复核, or the loan does and the tap is
    refused (it was for what the page showed before); never 在 for a tool out on loan."""
    with app.app_context():
        items = workshop()
        count = counts.start("location", "工具室", None)
        ma = Employee(employee_no="T2", name="马超")
        db.session.add(ma)
        db.session.commit()
        count_id, line_id, item_id, ma_id = count.id, by_asset(count)["ZG-02"].id, items["ZG-02"].id, ma.id
    results = race([_in_app(app, lambda: counts.mark(db.session.get(CountLine, line_id), "found", None, seen_qty=1)
                            and "marked"),
                    _in_app(app, lambda: loans.lend(db.session.get(Equipment, item_id), ma_id,
                                                    today() + timedelta(days=1), None) and "lent")])
    assert "lent" in results, results
    with app.app_context():
        line = db.session.get(CountLine, line_id)
        assert (line.result, line.expected_qty) in (("recheck", 0), ("lent", 0)), results
        assert (line.result == "recheck") == ("marked" in results), results


def test_a_counted_item_cannot_be_moved_resized_or_scrapped_while_the_count_runs(app):
    """While 工具室 is counted, its items' location, category and quantity are frozen (an
    item moved by an edit would be marked 缺失 here and made 丢失待查 by the close), nothing
    is moved into it, and none of its items is scrapped; the refusal names the count and
    what to do, and nothing is written. Other facts stay editable, and after the close the
    move is allowed."""
    with app.app_context():
        items = workshop()
        count = counts.start("location", "工具室", None)
        db.session.commit()
        zg02, qd01 = items["ZG-02"], items["QD-01"]
        for item, change, field in ((zg02, {"location": "3号工位"}, "location"),
                                    (zg02, {"quantity": 2}, "quantity"),
                                    (zg02, {"category": "通用工具"}, "category"),
                                    (qd01, {"location": "工具室"}, "location")):  # into the counted room
            data = tool(item.asset_no, item.location, item.quantity, item.category, item.name) | change
            with pytest.raises(register.Refused) as exc:
                register.update(item, data, None)
            db.session.rollback()
            assert exc.value.status == 409 and exc.value.field == field, change
            assert f"盘点 #{count.id}（位置：工具室）正在进行" in str(exc.value) and "在别处" in str(exc.value)
        assert (zg02.location, zg02.quantity, zg02.category) == ("工具室", 1, "专用工具")
        assert qd01.location == "3号工位"
        with pytest.raises(register.Refused) as exc:
            register.change_state(zg02, "scrapped", today(), "断裂", None)
        db.session.rollback()
        assert exc.value.status == 409 and "结束盘点后再报废" in str(exc.value) and zg02.state == "in_use"
        assert register.update(zg02, tool("ZG-02", name="棘轮扳手"), None) == ["name"]  # not frozen
        register.change_state(zg02, "idle", today(), "暂不用", None)  # still on its shelf
        assert [c.id for c in register.counting_for(zg02)] == [count.id]
        db.session.commit()
        for ln in count.lines:
            counts.mark(ln, "found", None)
        counts.close(count, "陈晓燕", {}, None)
        assert register.update(zg02, tool("ZG-02", "3号工位", name="棘轮扳手"), None) == ["location"]
        assert register.counting_for(zg02) == []


def test_a_tap_made_while_the_count_is_being_signed_waits_and_is_refused(app, monkeypatch):
    """One clerk signs the count; while the close is being written (not yet committed)
    another taps 缺失 on a line. The tap waits for the close and is then refused (the count
    has ended): a signed count's lines are never changed after the signature."""
    count_id, _, _ = _counted_workshop(app)
    with app.app_context():
        line_id = by_asset(db.session.get(Count, count_id))["ZG-02"].id
    results, waited = _second_waits(
        app, monkeypatch, counts.register_changes,
        ("close", lambda: counts.close(counts.load(count_id), "陈晓燕", {}, None) is not None and "closed"),
        ("tap", lambda: counts.mark(db.session.get(CountLine, line_id), "missing", None) and "marked"))
    assert results["close"] == "closed" and waited, results
    assert results["tap"].startswith("refused") and "已于" in results["tap"] and "结束" in results["tap"], results
    with app.app_context():
        line = db.session.get(CountLine, line_id)
        assert line.result == "found" and line.count.status == "closed"


def test_the_import_does_not_move_an_item_that_is_being_counted(app, clerk):
    """A file that moves ZG-02 while 工具室 is counted: the preview says why that row is
    refused, and confirming imports the others only."""
    with app.app_context():
        workshop()
        count_id = counts.start("location", "工具室", None).id
        db.session.commit()
    text = "资产编号,名称,类别,位置,数量\nZG-02,工具ZG-02,专用工具,3号工位,1\nZG-30,新扳手,专用工具,3号工位,1\n"
    r = clerk.post_form("/equipment/import", {"file": (io.BytesIO(text.encode()), "台账.csv")},
                        content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert "1</strong> 行可导入" in html and f"盘点 #{count_id}（位置：工具室）正在进行" in html
    payload = html.split('<textarea name="payload" hidden>')[1].split("</textarea>")[0]
    import html as h

    assert clerk.post_form("/equipment/import", {"payload": h.unescape(payload)}).status_code == 303
    with app.app_context():
        located = dict(db.session.execute(select(Equipment.asset_no, Equipment.location)).all())
        assert located["ZG-02"] == "工具室" and located["ZG-30"] == "3号工位"


def test_the_edit_form_says_a_count_runs_and_refuses_the_move_beside_the_field(app, clerk):
    with app.app_context():
        items = workshop()
        count_id = counts.start("location", "工具室", None).id
        db.session.commit()
        zg02 = items["ZG-02"].id
    page = clerk.get(f"/equipment/{zg02}/edit").get_data(as_text=True)
    assert f"正在盘点 <a href=\"/equipment/counts/{count_id}\">#{count_id}</a>（位置：工具室）" in page
    form = {k: ("" if v is None else v) for k, v in tool("ZG-02", "3号工位", name="工具ZG-02").items()}
    form.update(responsible_id=0, needs_verification="", verify_months="")
    r = clerk.post_form(f"/equipment/{zg02}/edit", form)
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "盘点期间不能修改设备的位置" in html
    with app.app_context():
        assert db.session.get(Equipment, zg02).location == "工具室"


# --- pages -------------------------------------------------------------------------------------

@pytest.fixture
def clerk(client, make_user):
    make_user("chen", position="workshop_clerk", can_manage_equipment=True)
    client.login("chen")
    return client


def _count(app) -> tuple[int, dict]:
    with app.app_context():
        workshop()
        db.session.commit()
    return None, {}


def test_counting_through_the_pages_with_htmx_and_without(app, clerk):
    _count(app)
    r = clerk.post_form("/equipment/counts", {"scope": "location", "location": "工具室"})
    assert r.status_code == 303
    with app.app_context():
        count = db.session.scalar(select(Count))
        lines = {ln.asset_no: ln.id for ln in count.lines}
        item_ids = {e.asset_no: e.id for e in db.session.scalars(select(Equipment))}
    url = f"/equipment/counts/{count.id}"
    page = clerk.get(url).get_data(as_text=True)
    assert "已盘 0 / 2" in page and "ZG-01" in page and 'name="asset_no"' in page
    close = clerk.get(f"{url}/close").get_data(as_text=True)  # nothing counted yet: not 账实相符
    assert "还有 2 项未盘" in close and "账实相符" not in close and "未盘的盘完后才能结束" in close
    # one tap (HTMX): the work area comes back with the next item
    r = clerk.post_form(f"{url}/lines/{lines['ZG-01']}", {"result": "found", "counted_qty": "12"},
                        headers={"HX-Request": "true"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.lstrip().startswith("<div id=\"work\"") and "已盘 1 / 2" in html
    assert "ZG-02" in html.split('aria-label="下一项"')[1][:300]
    # a scanned number that the register does not know: the message in the work area, nothing written
    r = clerk.post_form(f"{url}/scan", {"asset_no": "XX-99"}, headers={"HX-Request": "true"})
    assert r.status_code == 422 and "不在台账中" in r.get_data(as_text=True)
    r = clerk.post_form(f"{url}/scan", {"asset_no": "XX-99"})
    assert r.status_code == 404 and "不在台账中" in r.get_data(as_text=True)
    # the QR label opens the item page, which offers 记入盘点 #N
    item_page = clerk.get(f"/equipment/{item_ids['ZG-02']}").get_data(as_text=True)
    assert f"记入盘点 #{count.id}" in item_page
    assert f"记入盘点 #{count.id}" not in clerk.get(f"/equipment/{item_ids['QD-01']}").get_data(as_text=True)
    r = clerk.post_form(f"{url}/scan", {"asset_no": "ZG-02"})  # the item page's form, without JavaScript
    assert r.status_code == 303
    r = clerk.post_form(f"{url}/extras", {"label": "无标签的扭力扳手", "extra_qty": "1"})
    assert r.status_code == 303
    assert "已盘 2 / 2" in clerk.get(url).get_data(as_text=True)
    # closing: the extra must be explained
    assert clerk.get(f"{url}/close").status_code == 200
    with app.app_context():
        extra_id = db.session.scalar(select(CountLine.id).filter_by(count_id=count.id, expected=False))
    r = clerk.post_form(f"{url}/close", {"signed_name": "陈晓燕", f"explain-{extra_id}": ""})
    assert r.status_code == 422 and "差异未说明原因" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Count, count.id).status == "open"
    r = clerk.post_form(f"{url}/close", {"signed_name": "陈晓燕", f"explain-{extra_id}": "外协留下的，已登记入账"})
    assert r.status_code == 303
    page = clerk.get(url).get_data(as_text=True)
    assert "陈晓燕" in page and "外协留下的，已登记入账" in page and 'name="asset_no"' not in page
    listing = clerk.get("/equipment/counts").get_data(as_text=True)
    assert "位置：工具室" in listing and "已结束" in listing
    # a closed count changes no more
    r = clerk.post_form(f"{url}/lines/{lines['ZG-01']}", {"result": "missing"})
    assert r.status_code == 409


def test_a_scanned_set_is_counted_on_its_own_card_and_a_line_is_counted_again(app, clerk):
    """Scanning a set (ZG-01, 12 pieces) marks nothing: the card shows that set with its
    piece count to fill in, so the figure typed is the set's and not the next item's. A
    line already marked opens again in the card (重盘) with what was recorded, to correct."""
    _count(app)
    clerk.post_form("/equipment/counts", {"scope": "location", "location": "工具室"})
    with app.app_context():
        count = db.session.scalar(select(Count))
        lines = {ln.asset_no: ln.id for ln in count.lines}
    url = f"/equipment/counts/{count.id}"
    for htmx in (True, False):
        r = clerk.post_form(f"{url}/scan", {"asset_no": "ZG-01"}, headers={"HX-Request": "true"} if htmx else {},
                            follow_redirects=not htmx)
        html = r.get_data(as_text=True)
        card = html.split('aria-label="下一项"')[1].split("</section>")[0]
        assert r.status_code == 200 and "ZG-01" in card and 'name="counted_qty"' in card and "ZG-02" not in card
        assert "应有 12 件，请点数后填写实盘件数再记入" in html and "已盘 0 / 2" in html
    with app.app_context():
        assert db.session.get(CountLine, lines["ZG-01"]).result == ""
    clerk.post_form(f"{url}/lines/{lines['ZG-01']}", {"result": "found", "counted_qty": "11", "seen": "12"})
    page = clerk.get(url).get_data(as_text=True)
    assert "ZG-02" in page.split('aria-label="下一项"')[1][:300]  # the next one to count
    assert f'href="{url}?line={lines["ZG-01"]}#current"' in page  # 重盘
    again = clerk.get(f"{url}?line={lines['ZG-01']}").get_data(as_text=True)
    card = again.split('aria-label="下一项"')[1].split("</section>")[0]
    assert "ZG-01" in card and "已记：在 11 件" in card and 'value="11"' in card
    clerk.post_form(f"{url}/lines/{lines['ZG-01']}", {"result": "found", "counted_qty": "12", "seen": "12"})
    with app.app_context():
        line = db.session.get(CountLine, lines["ZG-01"])
        assert (line.result, line.counted_qty, line.is_difference) == ("found", 12, False)


def test_an_extra_scanned_by_mistake_is_taken_back_and_the_close_moves_nothing(app, clerk, make_user):
    """QD-01 (in 3号工位) scanned during the 工具室 count by mistake: 撤销 takes the line
    back, with its audit record; the close neither asks about it nor moves QD-01. Lines of
    the list are not taken back; a technician may not; a closed count keeps its lines."""
    _count(app)
    clerk.post_form("/equipment/counts", {"scope": "location", "location": "工具室"})
    with app.app_context():
        count = db.session.scalar(select(Count))
        lines = {ln.asset_no: ln.id for ln in count.lines}
    url = f"/equipment/counts/{count.id}"
    clerk.post_form(f"{url}/scan", {"asset_no": "QD-01"})
    clerk.post_form(f"{url}/extras", {"label": "无标签的扭力扳手", "extra_qty": "1"})
    with app.app_context():
        extras = {ln.asset_no or ln.label: ln.id for ln in db.session.scalars(
            select(CountLine).filter_by(count_id=count.id, expected=False))}
    assert "<strong>QD-01 气动扳手</strong>：位置 3号工位 → 工具室" in clerk.get(f"{url}/close").get_data(as_text=True)
    make_user("tech", position="technician")
    tech = type(clerk)(app.test_client())
    tech.login("tech")
    assert tech.post_form(f"{url}/lines/{extras['QD-01']}/remove").status_code == 403
    assert clerk.post(f"{url}/lines/{extras['QD-01']}/remove").status_code == 400  # no CSRF token
    assert clerk.post_form(f"{url}/lines/{lines['ZG-02']}/remove").status_code == 409
    r = clerk.post_form(f"{url}/lines/{extras['QD-01']}/remove", headers={"HX-Request": "true"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "已撤销清单外登记：QD-01 气动扳手" in html and "清单外 1" in html
    with app.app_context():
        assert db.session.get(CountLine, extras["QD-01"]) is None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.summary.like("%撤销清单外登记 QD-01%")))
        assert entry is not None and entry.before["asset_no"] == "QD-01"
    clerk.post_form(f"{url}/lines/{lines['ZG-01']}", {"result": "found", "counted_qty": "12", "seen": "12"})
    clerk.post_form(f"{url}/lines/{lines['ZG-02']}", {"result": "found", "seen": "1"})
    close = clerk.get(f"{url}/close").get_data(as_text=True)
    assert "QD-01" not in close and "无标签的扭力扳手" in close
    assert clerk.post_form(f"{url}/close", {"signed_name": "陈晓燕",
                                            f"explain-{extras['无标签的扭力扳手']}": "外协留下的"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Equipment.location).filter_by(asset_no="QD-01")) == "3号工位"
    assert clerk.post_form(f"{url}/lines/{extras['无标签的扭力扳手']}/remove").status_code == 409


def test_two_clerks_starting_the_same_count_at_once_get_one_count(app, make_user):
    from tests.conftest import Client, race

    _count(app)
    make_user("chen", position="workshop_clerk", can_manage_equipment=True)
    make_user("wang", position="workshop_clerk", can_manage_equipment=True)
    clients = []
    for name in ["chen", "wang"] * 2:  # two browsers each, or a double click
        c = Client(app.test_client())
        c.login(name)
        clients.append((c, c.csrf()))
    responses = race([lambda c=c, t=t: c.post("/equipment/counts", data={
        "csrf_token": t, "scope": "location", "location": "工具室"}) for c, t in clients])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [303, 409, 409, 409]
    with app.app_context():
        only = db.session.scalar(select(Count))
        assert db.session.scalar(select(func.count(Count.id))) == 1
        assert db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action="equipment_count_start")) == 1
    for r in responses:
        if r.status_code == 409:
            html = r.get_data(as_text=True)
            assert "已有进行中的盘点" in html or "刚由他人开始盘点" in html


def test_closing_through_the_page_shows_and_then_writes_the_register_changes(app, clerk):
    with app.app_context():
        items = workshop()
        count = counts.start("location", "工具室", None)
        lines = by_asset(count)
        counts.mark(lines["ZG-01"], "found", None)
        counts.mark(lines["ZG-02"], "missing", None)
        db.session.commit()
        url, zg02, line_id = f"/equipment/counts/{count.id}", items["ZG-02"].id, lines["ZG-02"].id
    page = clerk.get(f"{url}/close").get_data(as_text=True)
    assert "结束后台账将更新 1 项" in page and "ZG-02" in page and "在用 → 丢失待查" in page
    r = clerk.post_form(f"{url}/close", {"signed_name": "陈晓燕", f"explain-{line_id}": "全车间找过，未找到"})
    assert r.status_code == 303
    assert "台账已更新 1 项" in clerk.get(url).get_data(as_text=True)
    item_page = clerk.get(f"/equipment/{zg02}").get_data(as_text=True)
    assert "丢失待查" in item_page and "全车间找过，未找到" in item_page
    assert "丢失待查" in clerk.get("/equipment/?state=lost").get_data(as_text=True)


def test_lending_and_returning_during_a_count_through_the_pages(app, clerk):
    """The clerk's walk through the pages: the lend and return forms say a count is
    running; afterwards the count page shows ZG-15 借出中 and ZG-09 with 8 pieces, an old
    tap is refused with the reason (the work area again, HTMX or not), a line counted before
    its loan is 待复核 and blocks the close; the result sheet, PDF and Excel, agrees with
    the loans."""
    with app.app_context():
        items, ma_loan, lin = _loans_workshop()
        count = counts.start("location", "工具室", None)
        counts.mark(by_asset(count)["ZG-02"], "found", None)
        db.session.commit()
        ids = {no: e.id for no, e in items.items()}
        lines = {no: ln.id for no, ln in by_asset(count).items()}
        url, loan_id, lin_id = f"/equipment/counts/{count.id}", ma_loan.id, lin.id
    due = (today() + timedelta(days=3)).isoformat()
    lend_page = clerk.get(f"/equipment/{ids['ZG-15']}/lend").get_data(as_text=True)
    assert f"正在盘点 <a href=\"{url}\">#" in lend_page and "借出后，盘点清单中此项改为“借出中”" in lend_page
    assert "此项已记为“在”，借出后要重新复核" in clerk.get(f"/equipment/{ids['ZG-02']}/lend").get_data(as_text=True)
    assert clerk.post_form(f"/equipment/{ids['ZG-15']}/lend",
                           {"borrower_id": lin_id, "due_on": due, "quantity": "1"}).status_code == 303
    assert clerk.post_form(f"/equipment/{ids['ZG-02']}/lend",
                           {"borrower_id": lin_id, "due_on": due, "quantity": "1"}).status_code == 303
    return_page = clerk.get(f"/equipment/loans/{loan_id}/return").get_data(as_text=True)
    assert "正在盘点" in return_page and "归还后，盘点清单中此项的应有件数相应增加" in return_page
    assert clerk.post_form(f"/equipment/loans/{loan_id}/return", {
        "condition": "missing", "missing_qty": "1", "missing_action": "reduce", "note": "少一件"}).status_code == 303

    page = clerk.get(url).get_data(as_text=True)
    row = page.split(f'id="line-{lines["ZG-15"]}"')[1].split("</tr>")[0]
    assert "借出中" in row and "借给 林涛" in row and "在别处" not in row
    row = page.split(f'id="line-{lines["ZG-09"]}"')[1].split("</tr>")[0]
    assert "<td>8</td>" in row and "归还" in row
    row = page.split(f'id="line-{lines["ZG-02"]}"')[1].split("</tr>")[0]
    assert "待复核" in row and "盘点开始后已借出，请复核" in row
    current = page.split('aria-label="下一项"')[1].split("</section>")[0]
    assert "ZG-02" in current and "盘点开始后已借出，请复核" in current and "确认已借出" in current
    # a tap on the page as it was before the return: refused, with the reason
    r = clerk.post_form(f"{url}/lines/{lines['ZG-09']}", {"result": "found", "counted_qty": "5", "seen": "5"},
                        headers={"HX-Request": "true"})
    assert r.status_code == 422 and "已归还（应有 5 → 8 件）" in r.get_data(as_text=True)
    r = clerk.post_form(f"{url}/lines/{lines['ZG-09']}", {"result": "found", "counted_qty": "5", "seen": "5"})
    assert r.status_code == 409 and "请按现在的清单复核后再记" in r.get_data(as_text=True)
    for no in ("ZG-01", "ZG-09"):
        assert clerk.post_form(f"{url}/lines/{lines[no]}", {"result": "found"}).status_code == 303
    # the close is refused while ZG-02 waits for its recount, and says which one
    close_page = clerk.get(f"{url}/close").get_data(as_text=True)
    assert "其中 1 项盘点开始后已借出或归还，待复核" in close_page
    r = clerk.post_form(f"{url}/close", {"signed_name": "陈晓燕"})
    assert r.status_code == 422 and "需要复核（如 ZG-02" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Count, count.id).status == "open"
    assert clerk.post_form(f"{url}/lines/{lines['ZG-02']}", {"result": "lent", "seen": "0"}).status_code == 303
    assert clerk.post_form(f"{url}/close", {"signed_name": "陈晓燕"}).status_code == 303

    text = pdftotext(clerk.get(f"{url}/sheet.pdf").data)
    flat = "".join(text.split())
    assert "ZG-15" in text and "借出中" in text and "借给林涛" in flat and "盘点期间借出2项" in flat
    ws = load_workbook(io.BytesIO(clerk.get(f"{url}/export.xlsx").data)).active
    header = [c.value for c in ws[1]]
    rows = {row[0]: dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)}
    assert (rows["ZG-15"]["结果"], rows["ZG-15"]["应有件数"], rows["ZG-15"]["差异"]) == ("借出中", 0, None)
    assert "借给 林涛" in rows["ZG-15"]["盘点期间借还"]
    assert (rows["ZG-09"]["结果"], rows["ZG-09"]["应有件数"], rows["ZG-09"]["实盘件数"]) == ("在", 8, 8)
    assert "马超 归还" in rows["ZG-09"]["盘点期间借还"]
    loan_list = clerk.get("/equipment/loans").get_data(as_text=True)
    assert "冷却系统测压仪" in loan_list and "林涛" in loan_list  # the loans say the same

def test_a_technician_reads_counts_but_does_not_count(app, client, make_user):
    _count(app)
    with app.app_context():
        count = counts.start("location", "工具室", None)
        db.session.commit()
        count_id, line_id = count.id, count.lines[0].id
    make_user("tech", position="technician")
    client.login("tech")
    assert client.get(f"/equipment/counts/{count_id}").status_code == 200
    assert client.post_form("/equipment/counts", {"scope": "location", "location": "工具室"}).status_code == 403
    assert client.post_form(f"/equipment/counts/{count_id}/lines/{line_id}", {"result": "found"}).status_code == 403
    assert client.post_form(f"/equipment/counts/{count_id}/scan", {"asset_no": "ZG-01"}).status_code == 403


def _closed_count(app) -> int:
    with app.app_context():
        workshop()
        count = counts.start("location", "工具室", None)
        lines = by_asset(count)
        counts.mark(lines["ZG-01"], "found", None, counted_qty=10)
        counts.mark(lines["ZG-02"], "elsewhere", None, found_location="5号工位")
        counts.add_extra(count, "无标签的扭力扳手", None, 1)
        counts.close(count, "陈晓燕", {ln.id: f"原因{ln.id}" for ln in count.lines if ln.is_difference}, None)
        db.session.commit()
        return count.id


def test_the_count_sheet_pdf_blank_and_with_the_result(app, clerk):
    with app.app_context():
        workshop()
        count = counts.start("location", "工具室", None)
        db.session.commit()
        open_id = count.id
    r = clerk.get(f"/equipment/counts/{open_id}/sheet.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdftotext(r.data)
    assert "车间设备、工具盘点表" in text and "ZG-01" in text and "盘点人" in text and "监盘人" in text
    assert_cjk_fonts_embedded(r.data)
    with app.app_context():
        lines = by_asset(db.session.get(Count, open_id))
        counts.mark(lines["ZG-01"], "found", None, counted_qty=10)
        counts.mark(lines["ZG-02"], "missing", None)
        counts.close(db.session.get(Count, open_id), "陈晓燕", {lines["ZG-01"].id: "两件送修",
                                                              lines["ZG-02"].id: "遗失，已报告车间主任"}, None)
        db.session.commit()
    r = clerk.get(f"/equipment/counts/{open_id}/sheet.pdf")
    text = pdftotext(r.data)
    assert "盘点结果" in text and "两件送修" in text and "遗失，已报告车间主任" in text and "陈晓燕" in text
    assert "差异共" in text and "盘点人签字" in text
    assert_cjk_fonts_embedded(r.data)
    assert "车间设备、工具盘点表" in pdftotext(clerk.get(f"/equipment/counts/{open_id}/sheet.pdf?blank=1").data)


def test_the_result_summary_puts_each_figure_with_its_own_words(app, clerk):
    """ZG-01 found with 10 of its 12 pieces, ZG-02 found elsewhere: 件数不符 belongs to the
    items found (在), not to 在别处."""
    count_id = _closed_count(app)
    flat = "".join(pdftotext(clerk.get(f"/equipment/counts/{count_id}/sheet.pdf").data).split())
    assert "应盘2项：在1项（其中件数不符1项），缺失0项，在别处1项；清单外1项。差异共3项。" in flat
    assert "在别处1项（其中件数不符" not in flat

def test_the_count_exports_typed_cells(app, clerk):
    count_id = _closed_count(app)
    r = clerk.get(f"/equipment/counts/{count_id}/export.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    header = [c.value for c in ws[1]]
    rows = {row[0] or row[1]: dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)}
    assert "盘点" in ws.title and ws.freeze_panes == "A2"
    assert rows["ZG-01"]["应有件数"] == 12 and rows["ZG-01"]["实盘件数"] == 10
    assert isinstance(rows["ZG-01"]["应有件数"], int) and isinstance(rows["ZG-01"]["记录时间"], datetime)
    assert rows["ZG-02"]["结果"] == "在别处" and rows["ZG-02"]["发现位置"] == "5号工位"
    # the register's location counted against, not the one the close corrected it to
    assert rows["ZG-02"]["台账位置"] == "工具室"
    with app.app_context():
        assert db.session.scalar(select(Equipment.location).filter_by(asset_no="ZG-02")) == "5号工位"
    assert rows["无标签的扭力扳手"]["差异"] == "是" and rows["无标签的扭力扳手"]["差异说明"].startswith("原因")
    csv_text = clerk.get(f"/equipment/counts/{count_id}/export.csv").get_data(as_text=True)
    assert "ZG-01" in csv_text and "在别处" in csv_text


# --- the register's CSV import ---------------------------------------------------------------

CSV = """资产编号,名称,类别,型号,位置,数量,负责人,购置日期,检定周期（月）
ZG-21,正时专用工具组,专用工具,T10352,工具室,12,T1,2024-03-01,
JC-09,声级计,检测/计量设备,AWA5688,检测区,1,何师傅,2023-06-15,12
ZG-21,重复的编号,专用工具,,,1,,,
XX-01,无类别,飞机,,,1,,,
XX-02,数量不对,专用工具,,,很多,,,
XX-03,=HYPERLINK("x"),专用工具,,,1,,,
XX-04,未来购置,专用工具,,,1,,2999-01-01,
XX-05,负责人不存在,专用工具,,,1,无此人,,
"""


def test_the_import_previews_every_bad_row_and_imports_the_good_ones(app, clerk):
    with app.app_context():
        db.session.add(Employee(employee_no="T1", name="何师傅"))
        db.session.commit()
    r = clerk.post_form("/equipment/import", {"file": (io.BytesIO(CSV.encode("gb18030")), "台账.csv")},
                        content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "2</strong> 行可导入" in html and "6</strong> 行有误" in html
    for words in ("资产编号与第 2 行重复", "请选择类别", "数量应为整数", "不能以 = + - @ 开头", "购置日期不能晚于今天",
                  "负责人“无此人”不是在职员工"):
        assert words in html, words
    with app.app_context():
        assert db.session.scalar(select(func.count(Equipment.id))) == 0  # nothing before the confirmation
    payload = html.split('<textarea name="payload" hidden>')[1].split("</textarea>")[0]
    import html as h

    r = clerk.post_form("/equipment/import", {"payload": h.unescape(payload)})
    assert r.status_code == 303
    with app.app_context():
        items = {e.asset_no: e for e in db.session.scalars(select(Equipment))}
        assert set(items) == {"ZG-21", "JC-09"}
        assert items["ZG-21"].quantity == 12 and items["ZG-21"].responsible.name == "何师傅"
        assert items["JC-09"].needs_verification and items["JC-09"].verify_months == 12
        assert items["JC-09"].purchased_on == date(2023, 6, 15)
        assert db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action="equipment_create")) == 2
    # the same file again updates instead (the known asset numbers), with nothing changed: no record
    clerk.post_form("/equipment/import", {"payload": h.unescape(payload)})
    with app.app_context():
        assert db.session.scalar(select(func.count(Equipment.id))) == 2
    r = clerk.post_form("/equipment/import", {"file": (io.BytesIO("名称,类别\n扳手,专用工具\n".encode()), "x.csv")},
                        content_type="multipart/form-data")
    assert r.status_code == 422 and "缺少必填列：资产编号" in r.get_data(as_text=True)


def test_the_count_and_loan_pages_cost_the_same_statements_however_many_rows(app, clerk):
    """Lines, their items and who recorded them, loans with item and borrower: loaded in
    bulk, not per row."""
    from app.equipment.desk import bench_pages
    from tests.test_equipment import _statements

    def grow(start, n):
        with app.app_context():
            from app.auth.models import User

            for i in range(start, start + n):
                e = Employee(employee_no=f"Q{i:03d}", name=f"员工{i}")
                u = User(username=f"u{i}", password_hash="x", employee=e)
                db.session.add_all([e, u])
                db.session.flush()
                item = register.create(tool(f"N-{i:03d}"), u)
                if i % 2:
                    loans.lend(item, e.id, today() + timedelta(days=1), u)
            db.session.commit()

    grow(0, 3)
    with app.app_context():
        from app.auth.models import User

        count = counts.start("location", "工具室", None)
        for i, ln in enumerate(count.lines):
            counts.mark(ln, "found", db.session.scalar(select(User).filter_by(username="u0")))
        db.session.commit()
        count_id = count.id
        pages = [url for _, url in bench_pages()]
    small = [_statements(app, clerk, u) for u in pages]
    grow(3, 12)
    with app.app_context():  # the same count, with more lines, each recorded by someone else
        from app.auth.models import User

        c = db.session.get(Count, count_id)
        for i, item in enumerate(db.session.scalars(select(Equipment).where(Equipment.asset_no.like("N-%")))):
            line = CountLine(count_id=c.id, equipment_id=item.id, expected=True, expected_qty=1)
            db.session.add(line)
            db.session.flush()
            counts.mark(line, "found", db.session.scalar(select(User).filter_by(username=f"u{i:d}")))
        db.session.commit()
    assert [_statements(app, clerk, u) for u in pages] == small
