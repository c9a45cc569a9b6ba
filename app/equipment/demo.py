"""Demo data of the equipment part (`flask --app wsgi seed-demo`, app.demo.seed_demo)."""
from datetime import date

from sqlalchemy import select, update

from app import clock
from app.auth.models import User
from app.equipment import rules as register
from app.equipment.models import Equipment, EquipmentEvent
from app.extensions import db
from app.staff.models import Employee


# (asset no, name, category, model, maker, location, quantity, verification cycle in months)
DEMO_EQUIPMENT = [
    *[(f"JS-{n:02d}", "双柱举升机", "举升设备", "QJY-4.0", "元征", f"{n}号工位", 1, None) for n in range(1, 5)],
    ("JS-05", "四柱举升机（四轮定位用）", "举升设备", "QJ-5.0SJ", "元征", "5号工位", 1, None),
    ("JS-06", "剪式举升机", "举升设备", "SX-3.5", "巨力", "6号工位", 1, None),
    ("JC-01", "四轮定位仪", "检测/计量设备", "X-631+", "元征", "5号工位", 1, 12),
    ("JC-02", "尾气分析仪", "检测/计量设备", "FGA-4100", "佛分", "检测区", 1, 12),
    ("JC-03", "不透光烟度计", "检测/计量设备", "FBY-201", "佛分", "检测区", 1, 12),
    ("ZG-01", "正时专用工具组", "专用工具", "EN-48383", "原厂", "工具室", 12, None),
    ("ZG-02", "变速箱拆装专用工具", "专用工具", "DSG-7", "原厂", "工具室", 18, None),
    ("ZG-03", "高压系统绝缘工具组", "专用工具", "HV-1000", "原厂", "工具室", 9, None),
    # the rest of the brand's special tools (专用工具), one set each
    *[(f"ZG-{n:02d}", name, "专用工具", model, "原厂", "工具室", qty, None) for n, (name, model, qty) in enumerate([
        ("凸轮轴锁止工具", "T10171A", 2), ("曲轴固定工具", "T10340", 1), ("喷油器拆装工具", "T10133", 3),
        ("火花塞拆装套筒", "3122B", 2), ("离合器对中工具", "T10083", 1), ("变速箱支撑架", "VAS6931", 1),
        ("前轮轴承拆装工具组", "T10205", 6), ("减振器弹簧压缩器", "VAS6273", 1), ("球头拉拔器", "3287A", 2),
        ("制动分泵回位工具", "T10145", 1), ("空调冷媒加注接头组", "VAS6338", 4), ("冷却系统测压仪", "VAS6096", 1),
        ("正时链条张紧器工具", "T40267", 1), ("油封拆装工具组", "T10354", 5), ("高压油泵拆装工具", "T10365", 1),
        ("车身电器检测适配器", "VAS5051", 3), ("电池包举升适配器", "VAS6558", 1),
    ], start=4)],
    ("QD-01", "气动扳手", "气动/电动工具", "IR-2235", "英格索兰", "3号工位", 1, None),
    ("AQ-01", "灭火器（干粉 4kg）", "安全设施", "MFZ/ABC4", "淮海", "车间东门", 6, None),
]


def seed_equipment() -> list[str]:
    """The workshop's register: six lifts, the aligner, the exhaust analyser and the smoke
    meter with their verifications (the analyser's runs out within 30 days, the smoke
    meter's has expired), special-tool sets counted in pieces; one lift under repair."""
    from datetime import timedelta

    if db.session.scalar(select(Equipment.id).limit(1)):
        return []
    clerk = db.session.scalar(select(User).filter_by(username="chenxy"))
    staff = {e.employee_no: e for e in db.session.scalars(select(Employee))}
    today = clock.local_now().date()
    responsible = {"举升设备": "S003", "检测/计量设备": "S010", "专用工具": "S005"}
    items = {}
    for no, name, cat, model, maker, loc, qty, months in DEMO_EQUIPMENT:
        owner = staff.get(responsible.get(cat, "S003"))
        items[no] = register.create({
            "asset_no": no, "name": name, "category": cat, "model": model, "maker": maker, "location": loc,
            "quantity": qty, "responsible_id": owner.id if owner else None, "purchased_on": date(2021, 4, 1),
            "needs_verification": bool(months), "verify_months": months, "serial_no": f"SN2021{no[-2:]}{len(name)}",
            "notes": ""}, clerk)
    # registered when bought, in the demo's story: its history starts there, not on the day
    # the demo was seeded (above two months of checks)
    db.session.execute(update(EquipmentEvent).where(EquipmentEvent.kind == "created")
                       .values(happened_on=date(2021, 4, 1)))
    # verified 11 months ago (valid), 11 months and 20 days ago (due within 30 days),
    # and 13 months ago (expired)
    for no, ago, body in (("JC-01", 330, "市计量检定测试院"), ("JC-02", 345, "市计量检定测试院"),
                          ("JC-03", 395, "省机动车检测设备计量站")):
        on = today - timedelta(days=ago)
        register.record_verification(items[no], {"verified_on": on, "result": "pass", "body": body,
                                                 "cert_no": f"JD{on:%Y%m}{no[-2:]}"}, clerk)
    register.change_state(items["JS-03"], "repair", today - timedelta(days=2), "液压缸渗油，已报修厂家", clerk)
    tools = sum(1 for row in DEMO_EQUIPMENT if row[2] == "专用工具")
    return [f"设备工具台账：{len(DEMO_EQUIPMENT)} 项（6 台举升机，四轮定位仪、尾气分析仪、烟度计有检定记录："
            f"尾气分析仪 30 天内到期，烟度计已过期；{tools} 套专用工具；3 号举升机维修中）。"]


def demo(fresh: bool) -> list[str]:
    """`fresh`: the demo staff was created by this run."""
    return seed_equipment() if fresh else []
