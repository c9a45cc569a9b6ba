from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from app.database import utcnow
from app.supplies.quantity import fmt
from app.extensions import db

# Ledger entry kinds.
RECEIPT, ISSUE, RETURN, ADJUST, REVERSAL = "receipt", "issue", "return", "adjust", "reversal"
KIND_LABELS = {RECEIPT: "入库", ISSUE: "发放", RETURN: "退回", ADJUST: "盘点调整", REVERSAL: "冲销"}

SIZE_KINDS = {"clothing": "服装尺码", "shoe": "鞋码"}  # an item in sizes: which of the employee's sizes


class SupplyCategory(db.Model):
    __tablename__ = "supply_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SupplyItem(db.Model):
    """物资: labour protection or office supplies, counted in a unit.

    `stock` is stored: it always equals the sum of the item's ledger rows, because the one
    function that appends a row (ledger._entry) moves it in the same statement-level
    atomic UPDATE. The database refuses it below zero."""

    __tablename__ = "supply_item"
    __table_args__ = (UniqueConstraint("name", "spec", name="uq_supply_item_name_spec"),
                      CheckConstraint("stock >= 0", name="stock_nonnegative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    spec: Mapped[str] = mapped_column(String(60), default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("supply_category.id"), index=True)
    unit: Mapped[str] = mapped_column(String(10))
    decimals: Mapped[int] = mapped_column(default=0)  # decimals the unit allows (0..3)
    min_stock: Mapped[int] = mapped_column(default=0)  # milli-units
    stock: Mapped[int] = mapped_column(default=0, server_default="0")  # milli-units, stored (see above)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "" or a size kind (clothing / shoe): items of one name and size kind are the size
    # variants of one article, their spec is the size (工作服 XL, 工作服 L …); see sizes.py.
    size_kind: Mapped[str] = mapped_column(String(10), default="", server_default="")

    category = relationship("SupplyCategory")

    @property
    def low(self) -> bool:
        return self.active and self.stock < self.min_stock

    @property
    def label(self) -> str:
        return f"{self.name}（{self.spec}）" if self.spec else self.name

    def snapshot(self) -> dict:
        return {"name": self.name, "spec": self.spec, "category": self.category.name if self.category else None,
                "unit": self.unit, "decimals": self.decimals, "min_stock": fmt(self.min_stock), "active": self.active,
                "size_kind": self.size_kind}


class IssueSlip(db.Model):
    """领用单: several lines issued to one employee at once."""

    __tablename__ = "issue_slip"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requisition_id: Mapped[Optional[int]] = mapped_column(ForeignKey("requisition.id"))
    issued_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    employee = relationship("Employee")
    issued_by = relationship("User")
    lines: Mapped[list["StockEntry"]] = relationship(back_populates="slip", order_by="StockEntry.id")
    requisition = relationship("Requisition")

    @property
    def line_numbers(self) -> dict[int, int]:
        """Each line's number on the slip (1, 2 …), by entry id: what a reversal line names."""
        return {l.id: n for n, l in enumerate(self.lines, start=1)}

    @property
    def reversed_ids(self) -> set[int]:
        """Ids of its issue lines taken back (冲销): a reversal is a line of the same slip."""
        return {l.reverses_id for l in self.lines if l.kind == REVERSAL}

    @property
    def reversal(self) -> str:
        """"" when nothing of it was reversed, "full" when every issue line was, else "partial"."""
        issued = {l.id for l in self.lines if l.kind == ISSUE}
        taken_back = issued & self.reversed_ids
        if not taken_back:
            return ""
        return "full" if taken_back == issued else "partial"


class StockEntry(db.Model):
    """One change of stock. Append-only: never edited or deleted; a mistake is corrected by
    a reversal row that points at it (at most one reversal per row)."""

    __tablename__ = "stock_entry"
    __table_args__ = (
        Index("ix_stock_entry_item_at", "item_id", "at"),
        Index("ix_stock_entry_item_id", "item_id", "id"),
        Index("ix_stock_entry_employee_at", "employee_id", "at"),
        UniqueConstraint("reverses_id", name="uq_stock_entry_reverses_id"),
        CheckConstraint("qty <> 0 OR kind = 'adjust'", name="nonzero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_item.id"))
    kind: Mapped[str] = mapped_column(String(10))
    qty: Mapped[int]  # signed change in milli-units: receipt +, issue -, return +, adjust ±
    balance: Mapped[int] = mapped_column(default=0, server_default="0")  # the item's stock after this row
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # UTC
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    employee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("employee.id"))
    slip_id: Mapped[Optional[int]] = mapped_column(ForeignKey("issue_slip.id"), index=True)
    requisition_line_id: Mapped[Optional[int]] = mapped_column(ForeignKey("requisition_line.id"), index=True)
    supplier: Mapped[str] = mapped_column(String(80), default="")
    counted: Mapped[Optional[int]]  # adjust: the counted quantity
    reason: Mapped[str] = mapped_column(String(200), default="")
    reverses_id: Mapped[Optional[int]] = mapped_column(ForeignKey("stock_entry.id"))

    item = relationship("SupplyItem")
    user = relationship("User")
    employee = relationship("Employee")
    slip = relationship("IssueSlip", back_populates="lines")
    reverses = relationship("StockEntry", remote_side=[id], foreign_keys=[reverses_id])


def not_reversed():
    """SQL: the stock entry has not been taken back. A reversal (冲销) is another row
    pointing at it, so a reversed issue is left out by that row's existence (one probe of
    the unique index on reverses_id), not by the issue row's own reverses_id, which is
    always empty. (A function: aliasing needs every model mapped.)"""
    reversal = aliased(StockEntry)
    return ~select(reversal.id).where(reversal.reverses_id == StockEntry.id).exists()


class Requisition(db.Model):
    """申领: an employee asks, the supervisor approves or rejects, a clerk issues."""

    __tablename__ = "requisition"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    employee = relationship("Employee")
    requested_by = relationship("User")
    lines: Mapped[list["RequisitionLine"]] = relationship(back_populates="requisition", order_by="RequisitionLine.id")
    steps: Mapped[list["RequisitionStep"]] = relationship(order_by="RequisitionStep.id")


class RequisitionLine(db.Model):
    __tablename__ = "requisition_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisition.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_item.id"))
    qty: Mapped[int]  # milli-units asked for

    requisition = relationship("Requisition", back_populates="lines")
    item = relationship("SupplyItem")


class RequisitionStep(db.Model):
    """Each step of a requisition: submitted, approved, rejected, issued (who, when, note)."""

    __tablename__ = "requisition_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisition.id"), index=True)
    action: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(String(200), default="")

    user = relationship("User")


class Entitlement(db.Model):
    """劳保用品发放标准: per position, an item and a quantity per period."""

    __tablename__ = "entitlement"
    __table_args__ = (UniqueConstraint("position_id", "item_id", name="uq_entitlement_position_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_item.id"))
    qty: Mapped[int]  # milli-units per period
    period: Mapped[str] = mapped_column(String(10))  # week / month / quarter / year
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    position = relationship("Position")
    item = relationship("SupplyItem", lazy="selectin")  # every use shows the item: one query for all

    @property
    def article(self) -> str:
        """What is received against it: 工作服 in any size, or the one item."""
        return self.item.name if self.item.size_kind else self.item.label

    @property
    def label(self) -> str:
        """The article as the standard gives it: an item in sizes is entitled in each
        person's own size, so not "工作服（XL）" but "工作服（按个人服装尺码）"."""
        item = self.item
        if item.size_kind:
            return f"{item.name}（按个人{SIZE_KINDS.get(item.size_kind, '尺码')}）"
        return item.label
