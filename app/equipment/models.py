from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import utcnow
from app.extensions import db

CATEGORIES = ["举升设备", "检测/计量设备", "专用工具", "气动/电动工具", "安全设施", "其他"]
IN_USE, REPAIR, IDLE, SCRAPPED = "in_use", "repair", "idle", "scrapped"
# LOST: not found at a count (counts.py sets it when the count closes, and takes it back
# when a later count finds the item); it may also be set by hand
LOST = "lost"
STATES = {IN_USE: "在用", REPAIR: "维修中", IDLE: "停用", LOST: "丢失待查", SCRAPPED: "报废"}
RESULTS = {"pass": "合格", "limited": "准用（限用）", "fail": "不合格"}


class Equipment(db.Model):
    """A piece of workshop equipment or a tool set (a tray of 10 sockets counts as one
    entry with its quantity). Never deleted: a scrapped item keeps its history."""

    __tablename__ = "equipment"
    id: Mapped[int] = mapped_column(primary_key=True)
    # unique regardless of case (the index below): "JS-01" and "js-01" are one label
    asset_no: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(20))
    model: Mapped[str] = mapped_column(String(60), default="")
    maker: Mapped[str] = mapped_column(String(60), default="")
    serial_no: Mapped[str] = mapped_column(String(60), default="")
    location: Mapped[str] = mapped_column(String(60), default="")
    quantity: Mapped[int] = mapped_column(default=1)
    responsible_id: Mapped[Optional[int]] = mapped_column(ForeignKey("employee.id"), index=True)
    purchased_on: Mapped[Optional[date]]
    state: Mapped[str] = mapped_column(String(10), default=IN_USE)
    state_since: Mapped[Optional[date]]
    notes: Mapped[str] = mapped_column(Text, default="")
    # 检定/校准: whether it needs it and on which cycle; the latest verification's facts
    # are kept here in the same write as the Verification row (the list and the due
    # lists read them without walking the history).
    needs_verification: Mapped[bool] = mapped_column(Boolean, default=False)
    verify_months: Mapped[Optional[int]]
    last_verified_on: Mapped[Optional[date]]
    last_result: Mapped[str] = mapped_column(String(10), default="")  # the latest verification's result
    verification_due: Mapped[Optional[date]] = mapped_column(index=True)
    # issue 25b: the current photo (EquipmentPhoto keeps every one) and the open faults
    # (故障, kept in the same write as the fault rows: the list shows them without a query)
    photo_key: Mapped[Optional[str]] = mapped_column(String(32))
    open_faults: Mapped[int] = mapped_column(default=0, server_default="0")
    # loans (loans.py): how many pieces are lent out now, kept in the same write as the
    # loan and its return; a conditional UPDATE on it is what keeps two clerks lending the
    # same tool at once to one loan
    lent_qty: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    responsible = relationship("Employee")

    __table_args__ = (Index("ix_equipment_state_category", "state", "category"),
                      Index("uq_equipment_asset_no_lower", func.lower(asset_no), unique=True))

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

    def snapshot(self) -> dict:
        return {"asset_no": self.asset_no, "name": self.name, "category": self.category, "model": self.model,
                "maker": self.maker, "serial_no": self.serial_no, "location": self.location,
                "quantity": self.quantity, "responsible": self.responsible.name if self.responsible else None,
                "purchased_on": self.purchased_on, "needs_verification": self.needs_verification,
                "verify_months": self.verify_months, "notes": self.notes}


class EquipmentEvent(db.Model):
    """The item's history, append-only: state changes and verifications (faults, loans and
    counts join it as those parts land)."""

    __tablename__ = "equipment_event"
    __table_args__ = (Index("ix_equipment_event_item", "equipment_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id"))
    kind: Mapped[str] = mapped_column(String(20))  # created / state / verification / edit
    happened_on: Mapped[date]  # the day it happened (a state change's effective date)
    state_from: Mapped[str] = mapped_column(String(10), default="")
    state_to: Mapped[str] = mapped_column(String(10), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")


class Verification(db.Model):
    """One 检定/校准: when, by which body, the certificate and its scan, the result."""

    __tablename__ = "equipment_verification"
    __table_args__ = (Index("ix_equipment_verification_item", "equipment_id", "verified_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id"))
    verified_on: Mapped[date]
    body: Mapped[str] = mapped_column(String(80), default="")
    cert_no: Mapped[str] = mapped_column(String(60), default="")
    result: Mapped[str] = mapped_column(String(10), default="pass")
    valid_until: Mapped[date]
    scan_key: Mapped[Optional[str]] = mapped_column(String(32))
    scan_kind: Mapped[str] = mapped_column(String(10), default="")  # image / pdf
    scan_name: Mapped[str] = mapped_column(String(120), default="")
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    equipment = relationship("Equipment")
    user = relationship("User")

    @property
    def result_label(self) -> str:
        return RESULTS.get(self.result, self.result)


EVENT_KINDS = {"created": "登记入账", "state": "状态变更", "verification": "检定/校准", "edit": "修改信息"}


# --- issue 25b: item photo, fault reports (故障报修) --------------------------------------
# (kept in one block for the merge with the loans/counts branch)

FAULT_OPEN, FAULT_CLOSED = "open", "closed"
FAULT_STATES = {FAULT_OPEN: "报修中", FAULT_CLOSED: "已修复"}
EVENT_KINDS.update({"fault": "故障报修", "repair": "维修记录", "photo": "更换照片"})


class EquipmentPhoto(db.Model):
    """The item's photo (the newest row is shown; earlier ones stay: nothing is lost).
    Stored through app/uploads.py: upright, stripped, in three sizes."""

    __tablename__ = "equipment_photo"
    __table_args__ = (Index("ix_equipment_photo_item", "equipment_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id"))
    file_key: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Fault(db.Model):
    """A fault report (故障报修) and, once closed, its repair: who repaired it, when, the
    cost and parts, the result, and the state the item went back to (在用 or 报废)."""

    __tablename__ = "equipment_fault"
    __table_args__ = (Index("ix_equipment_fault_item", "equipment_id", "id"),
                      Index("ix_equipment_fault_state", "state", "equipment_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id"))
    description: Mapped[str] = mapped_column(String(1000))
    state: Mapped[str] = mapped_column(String(10), default=FAULT_OPEN)
    reported_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    reported_on: Mapped[date]
    # the failed check it came from, if any (checklist item and period)
    check_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("checklist_item.id"))
    check_period: Mapped[str] = mapped_column(String(12), default="")
    # the repair
    repaired_by: Mapped[str] = mapped_column(String(80), default="")
    repaired_on: Mapped[Optional[date]]
    cost: Mapped[Optional[float]]
    parts: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str] = mapped_column(String(10), default="")  # the item's state after it
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[Optional[datetime]]

    equipment = relationship("Equipment")
    reported_by = relationship("User", foreign_keys=[reported_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    photos = relationship("FaultPhoto", order_by="FaultPhoto.id")

    @property
    def state_label(self) -> str:
        return FAULT_STATES.get(self.state, self.state)


class FaultPhoto(db.Model):
    __tablename__ = "equipment_fault_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    fault_id: Mapped[int] = mapped_column(ForeignKey("equipment_fault.id"), index=True)
    file_key: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
# --- end issue 25b ------------------------------------------------------------------------
# === loans and counts (issue 25, points 5 and 6; app/equipment/loans.py, counts.py) ===========

LOAN_OK, LOAN_MISSING, LOAN_DAMAGED = "ok", "missing", "damaged"
LOAN_CONDITIONS = {LOAN_OK: "完好", LOAN_MISSING: "缺件", LOAN_DAMAGED: "损坏"}


class Loan(db.Model):
    """借用: a tool (or some pieces of a counted set) lent to an employee until a day; the
    return is written into the same row (when, by whom, in which condition). Never deleted."""

    __tablename__ = "equipment_loan"
    __table_args__ = (Index("ix_equipment_loan_item", "equipment_id", "returned_at"),
                      Index("ix_equipment_loan_borrower", "borrower_id", "returned_at"),
                      Index("ix_equipment_loan_open_due", "returned_at", "due_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id"))
    borrower_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    quantity: Mapped[int] = mapped_column(default=1)
    lent_on: Mapped[date]
    due_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(200), default="")
    lent_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    lent_at: Mapped[datetime] = mapped_column(default=utcnow)
    returned_at: Mapped[Optional[datetime]]
    returned_on: Mapped[Optional[date]]
    returned_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    condition: Mapped[str] = mapped_column(String(10), default="")
    missing_qty: Mapped[int] = mapped_column(default=0)
    return_note: Mapped[str] = mapped_column(String(500), default="")

    equipment = relationship("Equipment")
    borrower = relationship("Employee")
    lent_by = relationship("User", foreign_keys=[lent_by_id])
    returned_by = relationship("User", foreign_keys=[returned_by_id])

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    def overdue(self, today: date) -> bool:
        return self.returned_at is None and self.due_on < today

    @property
    def condition_label(self) -> str:
        return LOAN_CONDITIONS.get(self.condition, self.condition)


# the open loans of an item, for "借出 给谁 至何时" wherever the item appears (selectinload it)
Equipment.open_loans = relationship(
    Loan, primaryjoin=lambda: (Loan.equipment_id == Equipment.id) & Loan.returned_at.is_(None),
    viewonly=True, order_by=lambda: Loan.due_on)

COUNT_OPEN, COUNT_CLOSED = "open", "closed"
COUNT_SCOPES = {"location": "位置", "category": "类别"}
PENDING, FOUND, MISSING, ELSEWHERE, EXTRA = "", "found", "missing", "elsewhere", "extra"
# a line follows the register while its count is open (counts.follow_loan, in the same write
# as the loan or the return): LENT, the whole item lent out since the count began (expected
# away, not on the shelf; a clerk may also confirm it); RECHECK, a line already marked when
# a loan or a return changed what is expected of it: it is counted again before the close
LENT, RECHECK = "lent", "recheck"
COUNT_RESULTS = {PENDING: "未盘", FOUND: "在", MISSING: "缺失", ELSEWHERE: "在别处", EXTRA: "盘盈（清单外）",
                 LENT: "借出中", RECHECK: "待复核"}


class Count(db.Model):
    """盘点: a session over one location or one category. The expected list is frozen into
    its lines when it starts; closing it signs it (who, when) and keeps it for good."""

    __tablename__ = "equipment_count"
    __table_args__ = (Index("ix_equipment_count_scope", "scope", "scope_value", "status"),
                      # one open count per location / category: a second start (a double
                      # click, a second clerk) fails on this index even when both pass the
                      # check in counts.start at the same moment
                      Index("uq_equipment_count_open_scope", "scope", "scope_value", unique=True,
                            sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")))

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))  # location / category
    scope_value: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10), default=COUNT_OPEN)
    started_on: Mapped[date]
    started_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[Optional[datetime]]
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    signed_name: Mapped[str] = mapped_column(String(40), default="")  # who signs the result
    note: Mapped[str] = mapped_column(String(500), default="")

    started_by = relationship("User", foreign_keys=[started_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    lines = relationship("CountLine", back_populates="count", order_by="CountLine.id")

    @property
    def scope_label(self) -> str:
        return f"{COUNT_SCOPES.get(self.scope, self.scope)}：{self.scope_value}"

    @property
    def is_open(self) -> bool:
        return self.status == COUNT_OPEN


class CountLine(db.Model):
    """One line of a count: an item of the expected list (with the quantity expected), or
    an extra found that was not on it (a registered item by its asset number, or free text)."""

    __tablename__ = "equipment_count_line"
    __table_args__ = (Index("ix_equipment_count_line_count", "count_id", "id"),
                      Index("ix_equipment_count_line_item", "equipment_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("equipment_count.id"))
    equipment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("equipment.id"))
    expected: Mapped[bool] = mapped_column(Boolean, default=True)
    label: Mapped[str] = mapped_column(String(120), default="")  # an extra's free text
    expected_qty: Mapped[int] = mapped_column(default=0)
    result: Mapped[str] = mapped_column(String(10), default=PENDING)
    counted_qty: Mapped[Optional[int]]
    found_location: Mapped[str] = mapped_column(String(60), default="")
    # where the register had the item when it was listed or scanned: the close may correct
    # the item's location, the record keeps what was counted against (None: a free-text
    # extra, or a line from before this was kept)
    register_location: Mapped[Optional[str]] = mapped_column(String(60))
    explanation: Mapped[str] = mapped_column(String(500), default="")
    by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    at: Mapped[Optional[datetime]]

    count = relationship("Count", back_populates="lines")
    equipment = relationship("Equipment")
    by = relationship("User")

    @property
    def result_label(self) -> str:
        return COUNT_RESULTS.get(self.result, self.result)

    @property
    def is_difference(self) -> bool:
        """What the closing must explain: missing, found elsewhere, an extra, a set short
        or over (an item found here although the register has it out on loan: over)."""
        if not self.expected or self.result in (MISSING, ELSEWHERE, EXTRA):
            return True
        return self.result == FOUND and self.counted_qty is not None and self.counted_qty != self.expected_qty

    @property
    def on_loan(self) -> bool:
        """The whole item is out on loan (lent since the count began): not expected here."""
        return self.expected and self.expected_qty == 0

    @property
    def name(self) -> str:
        return self.equipment.name if self.equipment is not None else self.label

    @property
    def asset_no(self) -> str:
        return self.equipment.asset_no if self.equipment is not None else ""

    @property
    def listed_location(self) -> str | None:
        """The register's location of the item when it was counted (now, for an old line)."""
        if self.register_location is not None:
            return self.register_location
        return self.equipment.location if self.equipment is not None else None


EVENT_KINDS.update({"loan": "借出", "return": "归还", "count": "盘点"})
# === end of loans and counts =====================================================================
