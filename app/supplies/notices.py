"""The supplies part's notices: an entitlement due this period, to the employee, once."""
from datetime import datetime

from app.notices.rules import account_of, notify, url_for
from app.supplies.entitlements import due_list
from app.supplies.quantity import fmt


def entitlements_due(now: datetime) -> int:
    made = 0
    for d in due_list(now.date()):
        made += notify(
            [account_of(d.employee)], f"entitlement:{d.entitlement.id}:{d.employee.id}:{d.start}", "entitlement",
            f"本期可领劳保用品：{d.entitlement.item.name} {fmt(d.due)} {d.entitlement.item.unit}"
            f"（{d.start:%m-%d} 至 {d.end:%m-%d}）。", url_for("main.index"))
    return made
