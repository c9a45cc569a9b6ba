"""Size variants: 工作服 XL / L / M and 劳保鞋 41码 / 42码 are one article in several sizes.

An item with a size kind (clothing or shoe) is one variant; its spec is the size. The
variants of an article are the active items of the same name and size kind. An employee
records 服装尺码 and 鞋码; an entitlement to any variant is met by issuing any variant, and a
slip pre-filled from the entitlements gives each person the variant of their size, or asks
when the size is missing or not in stock as an item.
"""
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from app.database import statement
from app.extensions import db
from app.staff.models import normalize_size as normalize
from app.supplies.models import SIZE_KINDS, SupplyItem

EMPLOYEE_FIELD = {"clothing": "clothing_size", "shoe": "shoe_size"}


def employee_size(employee, kind: str) -> str:
    return normalize(getattr(employee, EMPLOYEE_FIELD[kind], None)) if kind in EMPLOYEE_FIELD else ""


def variants(item: SupplyItem) -> list[SupplyItem]:
    """The active variants of the item's article (the item alone when it has no size kind)."""
    if not item.size_kind:
        return [item]
    return list(db.session.scalars(_variants(), {"name": item.name, "size_kind": item.size_kind}))


@statement
def _variants():
    return (select(SupplyItem).where(SupplyItem.name == bindparam("name"), SupplyItem.size_kind == bindparam("size_kind"),
                                     SupplyItem.active.is_(True)).order_by(SupplyItem.spec))


def group_ids(item: SupplyItem) -> list[int]:
    """Ids of every variant, active or not: what counts as having received the article."""
    return group_ids_of([item])[item.id]


def group_ids_of(items) -> dict[int, list[int]]:
    """group_ids for several items in one query (none when no item comes in sizes)."""
    sized = {(i.name, i.size_kind) for i in items if i.size_kind}
    variants: dict[tuple[str, str], list[int]] = {}
    if sized:
        for item_id, name, kind in db.session.execute(_sized_named(), {"names": sorted({n for n, _ in sized})}):
            if (name, kind) in sized:
                variants.setdefault((name, kind), []).append(item_id)
    return {i.id: variants.get((i.name, i.size_kind), [i.id]) if i.size_kind else [i.id] for i in items}


@statement
def _sized_named():
    return (select(SupplyItem.id, SupplyItem.name, SupplyItem.size_kind)
            .where(SupplyItem.name.in_(bindparam("names", expanding=True)), SupplyItem.size_kind != ""))


@dataclass(frozen=True)
class Choice:
    item: SupplyItem | None  # the variant to issue, or None: the clerk must choose
    note: str                # what the form says about it ("" for an item without sizes)


def variant_for(item: SupplyItem, employee, known: list[SupplyItem] | None = None) -> Choice:
    """The variant of `item`'s article in the employee's size (`known`: its variants, when
    the caller already has them)."""
    if not item.size_kind or employee is None:
        return Choice(item, "")
    label = SIZE_KINDS.get(item.size_kind, "尺码")
    size = employee_size(employee, item.size_kind)
    if not size:
        return Choice(None, f"{employee.name}未登记{label}，请选择{item.name}的尺码（并在员工资料中补登）。")
    for v in known if known is not None else variants(item):
        if normalize(v.spec) == size:
            return Choice(v, f"按{employee.name}的{label} {size}。")
    return Choice(None, f"{item.name}没有{employee.name}的{label} {size}，请选择其他尺码或先入库该尺码。")
