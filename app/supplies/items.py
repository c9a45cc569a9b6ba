"""The supply items (物品): entering a new one or changing one, with its checks."""
from sqlalchemy import select

from app.audit.log import record, record_changes
from app.extensions import db
from app.supplies.ledger import LedgerError
from app.supplies.models import SupplyItem
from app.supplies.quantity import QuantityError, parse


def save_item(item: SupplyItem | None, *, name: str, spec: str | None, category_id: int, unit: str, decimals: int,
              min_stock: str, active: bool, size_kind: str | None) -> SupplyItem:
    """Create (`item` None) or change an item; `min_stock` as typed, in the item's units.
    Refuses (LedgerError naming the field, nothing changed) a minimum that is no quantity
    of this unit and a second item of the same name and spec."""
    try:
        min_milli = parse(min_stock, decimals, allow_zero=True)
    except QuantityError as exc:
        raise LedgerError(str(exc), "min_stock") from exc
    name, spec = name.strip(), (spec or "").strip()
    same = db.session.scalar(select(SupplyItem).where(SupplyItem.name == name, SupplyItem.spec == spec))
    if same is not None and same is not item:
        raise LedgerError("已有同名同规格的物品。", "name")
    before = item.snapshot() if item is not None else None
    target = item or SupplyItem()
    target.name, target.spec, target.category_id = name, spec, category_id
    target.unit, target.decimals, target.min_stock = unit.strip(), decimals, min_milli
    target.active, target.size_kind = active, size_kind or ""
    if item is None:
        db.session.add(target)
        db.session.flush()
        record("supply_item_create", "supply_item", target.id, summary=target.label, after=target.snapshot())
    else:
        db.session.flush()
        record_changes("supply_item_update", "supply_item", target.id, before, target.snapshot(), summary=target.label)
    return target
