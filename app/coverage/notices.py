"""The coverage part's notices: a required training or certificate of an employee expiring
soon or expired, to the employee and the training clerks, once per state and expiry date."""
from datetime import datetime

from sqlalchemy import select

from app.auth.models import User
from app.coverage.rules import expiring
from app.extensions import db
from app.notices.rules import account_of, notify, url_for


def coverage_due(now: datetime) -> int:
    lists = expiring(now.date())
    if not lists["soon"] and not lists["expired"]:
        return 0
    clerks = list(db.session.scalars(select(User).where(User.active.is_(True), User.can_record_trainings.is_(True))))
    made = 0
    for state, rows in (("soon", lists["soon"]), ("expired", lists["expired"])):
        for x in rows:
            e, r, c = x["employee"], x["requirement"], x["cell"]
            what = "已过期" if state == "expired" else "即将到期"
            made += notify([account_of(e)] + clerks, f"coverage:{e.id}:{r.id}:{c.expires}:{state}", "coverage",
                           f"{e.name}的「{r.name}」{what}（有效期至 {c.expires:%Y-%m-%d}）。",
                           url_for("coverage.employee", employee_id=e.id))
    return made
