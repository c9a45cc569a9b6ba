"""The audit invariant (app/audit/guard.py): a request that commits a change without its
audit record fails, so a route that forgets record() cannot pass the suite."""
import pytest
from sqlalchemy import func, select

from app.audit import guard
from app.audit.models import AuditEntry
from app.checklists.models import ChecklistMark
from app.extensions import db
from tests.test_checklists import day_after_tomorrow, freeze, item, people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("optional_fields")  # a tick without figures


def test_a_tick_whose_audit_record_is_forgotten_fails_and_changes_nothing(app, client, people, freeze,  # noqa: F811
                                                                        monkeypatch):
    from app.checklists import ticks

    freeze(day_after_tomorrow(10))
    item_id, _ = item(app, "wclerk_booking")
    key = day_after_tomorrow(10).date().isoformat()
    client.login("wm")
    monkeypatch.setattr(ticks, "record", lambda *a, **k: None)  # the route "forgets" its record
    assert client.post_form(f"/checklists/items/{item_id}/{key}/tick").status_code == 500
    assert len(guard.VIOLATIONS) == 1 and "checklists.do_tick" in guard.VIOLATIONS.pop()
    with app.app_context():
        assert db.session.scalar(select(func.count(ChecklistMark.id)).where(ChecklistMark.done.is_(True))) == 0


def test_the_same_tick_with_its_record_passes(app, client, people, freeze):  # noqa: F811
    freeze(day_after_tomorrow(10))
    item_id, _ = item(app, "wclerk_booking")
    key = day_after_tomorrow(10).date().isoformat()
    client.login("wm")
    with app.app_context():
        before = db.session.scalar(select(func.count(AuditEntry.id)))
    assert client.post_form(f"/checklists/items/{item_id}/{key}/tick").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id))) == before + 1
