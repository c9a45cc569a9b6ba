"""Issue slips (领用单) and requisition forms: their lines as typed, the slip pre-filled from
the entitlement list, the check that a slip does not bypass an approved requisition, and
the one that it does not take the person past his position's standard unawares."""
from app import params
from app.extensions import db
from app.staff.models import Employee
from app.supplies.entitlements import PERIOD_LABELS, asked_beyond_standard
from app.supplies.ledger import LedgerError, ProblemsRefused
from app.supplies.models import SupplyItem
from app.supplies.quantity import QuantityError, fmt, parse
from app.supplies.requisitions import open_for
from app.supplies.sizes import variant_for

MAX_LINES = 40  # rows of one slip or requisition form


def parse_lines(item_ids: list[str], quantities: list[str], items_by_id: dict[int, SupplyItem]
                ) -> tuple[list[tuple[SupplyItem, int]], list[dict], list[str]]:
    """(lines, raw rows to show again, errors) from the parallel item_id[] / qty[] fields;
    an empty row is skipped, an item not in `items_by_id` (an inactive one) is looked up.
    A row not understood carries its problem too ("error", shown under the row, and
    "problem", the message of `errors` that names the row: the form lists it only there)."""
    lines, raw, errors = [], [], []

    def refuse(row: dict, message: str, named: str) -> None:
        row["error"], row["problem"] = message, named
        errors.append(named)

    for n, (item_id, qty_text) in enumerate(zip(item_ids, quantities), start=1):
        row = {"item_id": item_id, "qty": qty_text}
        raw.append(row)
        if not item_id and not qty_text.strip():
            continue
        iid = params.to_id(item_id)
        it = items_by_id.get(iid) if iid else None
        if it is None:
            it = db.session.get(SupplyItem, iid) if iid else None
            if it is None:
                refuse(row, "请选择物品。", f"第 {n} 行：请选择物品。")
                continue
        try:
            lines.append((it, parse(qty_text, it.decimals)))
        except QuantityError as exc:
            refuse(row, str(exc), f"第 {n} 行（{it.label}）：{exc}")
    return lines, raw, errors


def prefilled_rows(person: Employee | None, specs: list[str], items_by_id: dict[int, SupplyItem]) -> list[dict]:
    """The rows of a slip opened from the entitlement list (?employee=ID&line=ITEM:QTY …):
    an item with sizes becomes the variant of the person's size, or asks which
    (sizes.variant_for); an unknown item stays as given, for the clerk to choose. A sized
    row keeps the item it was for ("group", sent back with the form: hints_again)."""
    rows = []
    for spec in specs:
        item_id, _, qty = spec.partition(":")
        it = items_by_id.get(params.to_id(item_id))
        choice = variant_for(it, person) if it is not None else None
        if choice is None:
            rows.append({"item_id": item_id, "qty": qty})
        else:
            rows.append({"item_id": choice.item.id if choice.item else "", "qty": qty,
                         "note": choice.note, "ask": choice.item is None})
            if it.size_kind:
                rows[-1]["group"] = str(it.id)
    return rows


def hints_again(person: Employee | None, rows: list[dict], groups: list[str],
                items_by_id: dict[int, SupplyItem]) -> None:
    """A pre-filled slip sent back (refused) keeps each sized row's hint (林涛未登记鞋码，请选择
    劳保鞋的尺码…): `groups`, the form's line_for[] beside item_id[], names the item each
    row was for; the hint is worked out again for the person now chosen. Once a size is
    chosen on the row, the hint stays but no longer asks."""
    for row, group in zip(rows, groups):
        it = items_by_id.get(params.to_id(group))
        if it is None or not it.size_kind:
            continue
        choice = variant_for(it, person)
        row.update(group=str(it.id), note=choice.note, ask=choice.item is None and not row["item_id"])


def refuse_outside_requisition(employee: Employee | None, lines, separate: bool) -> None:
    """A slip for items an approved requisition of the same person asks for would leave the
    requisition unsettled (未发): issue against it instead, or say this is a separate issue
    (`separate`)."""
    if employee is None or separate:
        return
    asked = {l.item_id for r in open_for(employee.id) for l in r.lines}
    same = [item.label for item, _ in lines if item.id in asked]
    if same:
        raise LedgerError(f"{employee.name} 有已批准未发放的申领包含 {'、'.join(same)}：请按申领发放（见上方），"
                          "或勾选“不按申领，单独发放”。", "requisition")


class SlipRefused(ProblemsRefused):
    """A slip the clerk must confirm before it is issued: every reason of one submit, each
    shown beside its checkbox."""


def beyond_standard_said(employee: Employee | None, lines) -> list[str]:
    """One sentence per entitlement of the person's position that these lines ([(item,
    milli-units)]) would take past the standard in its current period, counting what he
    already received in it (entitlements.asked_beyond_standard, as his history page counts):
    何师傅本周已领 防滑手套 1 副，标准 1 副/周，本次再发 1 副将超出标准。 Items without a
    standard for his position say nothing."""
    if employee is None:
        return []
    said = []
    for asked in asked_beyond_standard(employee, lines):
        ent, got = asked.due.entitlement, asked.due.received
        unit, period = ent.item.unit, PERIOD_LABELS[ent.period]
        said.append(f"{employee.name}本{period}已领 {ent.article} {fmt(got)} {unit}，标准 {fmt(ent.qty)} {unit}/{period}，"
                    f"本次{'再' if got else ''}发 {fmt(asked.asked)} {unit}将超出标准。")
    return said


def refuse_unconfirmed(employee: Employee | None, lines, *, separate: bool, beyond_ok: bool) -> list[str]:
    """What a direct slip needs the clerk to confirm, all at once: items of an approved
    requisition of the person (refuse_outside_requisition; `separate` confirms) and lines
    beyond his position's standard (beyond_standard_said; `beyond_ok` confirms, 仍然发放).
    Raises SlipRefused naming what is not confirmed; returns the beyond-standard sentences
    the clerk confirmed, for the slip's audit record."""
    problems: dict[str, list[str]] = {}
    try:
        refuse_outside_requisition(employee, lines, separate)
    except LedgerError as exc:
        problems["requisition"] = [str(exc)]
    beyond = beyond_standard_said(employee, lines)
    if beyond and not beyond_ok:
        problems["beyond"] = beyond
    if problems:
        raise SlipRefused(problems)
    return beyond
