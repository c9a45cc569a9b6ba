"""Demo data of loans and counts (flask seed-demo), run after the register's demo
(seed_equipment): four loans (one overdue, one returned with a piece missing), a closed
count of the 检测区 with its differences explained and signed, an open count of the 工具室."""
from datetime import timedelta

from sqlalchemy import func, select

from app import clock
from app.auth.models import User
from app.database import utcnow
from app.equipment import counts, loans
from app.equipment.models import ELSEWHERE, FOUND, Count, Equipment, EquipmentEvent, Loan
from app.extensions import db
from app.staff.models import Employee


def seed_loans_and_counts(fresh: bool = True) -> list[str]:
    if db.session.scalar(select(Loan.id).limit(1)) or db.session.scalar(select(Count.id).limit(1)):
        return []
    items = {e.asset_no: e for e in db.session.scalars(select(Equipment))}
    staff = {e.employee_no: e for e in db.session.scalars(select(Employee))}
    clerk = db.session.scalar(select(User).filter_by(username="chenxy"))
    needed = ("ZG-01", "ZG-02", "ZG-03", "QD-01", "JC-02", "JC-03")
    if clerk is None or any(n not in items for n in needed) or any(n not in staff for n in ("S012", "S013", "S014")):
        return []
    today = clock.local_now().date()

    # 20 days ago: the 检测区 counted and closed; the smoke meter was on 5号工位 and stays
    # there (the close moves it in the register)
    closed = counts.start("location", "检测区", clerk)
    for ln in closed.lines:
        if ln.equipment.asset_no == "JC-03":
            counts.mark(ln, ELSEWHERE, clerk, found_location="5号工位")
        else:
            counts.mark(ln, FOUND, clerk)
    counts.add_extra(closed, "旧尾气分析仪取样探头（无标签）", clerk, 2)
    explain = {ln.id: ("柴油车检测移到5号工位，以后放在5号工位" if ln.result == ELSEWHERE else "更换下来的旧探头，待报废处理")
               for ln in closed.lines if ln.is_difference}
    before_close = db.session.scalar(select(func.max(EquipmentEvent.id))) or 0
    counts.close(closed, "陈晓燕", explain, clerk, "烟度计台账位置已更正为5号工位")
    then = utcnow() - timedelta(days=20)
    closed.started_on, closed.started_at, closed.closed_at = today - timedelta(days=20), then, then + timedelta(hours=1)
    for ln in closed.lines:
        ln.at = then + timedelta(minutes=10)
    # what the close wrote into the items' histories (its lines, the location it corrected) is of that day
    for ev in db.session.scalars(select(EquipmentEvent).where(EquipmentEvent.id > before_close)):
        ev.happened_on, ev.at = closed.started_on, closed.closed_at

    # the loans are recorded with the days they happened on (`on`), so that each loan, its
    # item's history and the audit record say the same dates
    # a returned loan: 变速箱拆装专用工具 back with one piece missing, the register adjusted
    back = loans.lend(items["ZG-02"], staff["S014"].id, today - timedelta(days=9), clerk, 18, "DSG 离合器更换",
                      on=today - timedelta(days=12))
    loans.give_back(back, "missing", clerk, "缺少 1 件拉拔器，已申请补购", 1, "reduce", on=today - timedelta(days=9))
    # open loans: the whole 正时工具组 with 何师傅; 4 pieces of the HV set with 马超, overdue
    loans.lend(items["ZG-01"], staff["S012"].id, today + timedelta(days=2), clerk, 12, "迈腾正时链条更换")
    loans.lend(items["ZG-03"], staff["S013"].id, today - timedelta(days=3), clerk, 4, "新能源车高压系统检修",
               on=today - timedelta(days=8))
    loans.lend(items["QD-01"], staff["S014"].id, today + timedelta(days=5), clerk, 1)

    # an open count of the 工具室: the 变速箱工具 counted, the rest of the HV set not yet
    open_count = counts.start("location", "工具室", clerk)
    for ln in open_count.lines:
        if ln.equipment.asset_no == "ZG-02":
            counts.mark(ln, FOUND, clerk)
    db.session.flush()
    return ["设备借用：4 次（马超的高压工具组已逾期 3 天，黄小明归还变速箱工具时缺 1 件）；"
            f"盘点：检测区 #{closed.id} 已结束（2 项差异已说明并签名），工具室 #{open_count.id} 进行中。"]
