"""The done count of each occurrence (checklist_tally) is kept by database triggers, so the
overdue figures follow every change of a mark: a tick in the app, a bulk insert, SQL typed
by hand, and several writers at once (PostgreSQL: row locks; SQLite: one writer)."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from app import clock
from app.auth.models import User
from app.checklists.board import overdue_summary
from app.checklists.models import ChecklistItem, ChecklistMark, ChecklistTally
from app.extensions import db
from tests.conftest import race

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def frozen(monkeypatch):
    """The app's clock at 10:00 local, two days from now: yesterday's occurrence of a
    daily item (due at the end of the working day) is overdue."""
    local = datetime.combine(datetime.now(TZ).date() + timedelta(days=2), time(10))
    utc = local.replace(tzinfo=TZ).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    monkeypatch.setattr(clock, "now_utc", lambda: utc)
    return local


def tallies_match_marks() -> bool:
    """The tally of every occurrence equals the count of its done marks."""
    counted = dict(((i, k), n) for i, k, n in db.session.execute(
        select(ChecklistMark.item_id, ChecklistMark.period_key, func.count())
        .where(ChecklistMark.done == True).group_by(ChecklistMark.item_id, ChecklistMark.period_key)))  # noqa: E712
    kept = {(t.item_id, t.period_key): t.done for t in db.session.scalars(select(ChecklistTally)) if t.done}
    return counted == kept


def clerk_overdue(username: str) -> int:
    user = db.session.scalar(select(User).filter_by(username=username))
    return sum(g["count"] for g in overdue_summary(user) if g["position"].seed_key == "workshop_clerk")


def test_a_change_by_sql_by_hand_shows_in_the_next_overdue_count(app, optional_fields, make_user, client, frozen):
    make_user("wm", position="workshop_manager")  # supervises the workshop clerk
    yesterday = (frozen.date() - timedelta(days=1)).isoformat()
    with app.app_context():
        item = db.session.scalar(select(ChecklistItem).filter_by(seed_key="wclerk_chaoyue"))
        item_id, before = item.id, clerk_overdue("wm")
        assert before >= 1
        # A mark written by hand, outside the app (a data fix), the way the demo writes in bulk.
        db.session.execute(text(
            "INSERT INTO checklist_mark (item_id, period_key, subject_id, due_at, done, note, late, self_note, "
            "review, review_note) VALUES (:i, :k, 0, :due, true, '', true, '', '', '')"),
            {"i": item_id, "k": yesterday, "due": datetime.fromisoformat(yesterday + "T17:30")})
        db.session.commit()
        assert clerk_overdue("wm") == before - 1 and tallies_match_marks()
        db.session.execute(text("UPDATE checklist_mark SET done = false WHERE item_id = :i AND period_key = :k"),
                           {"i": item_id, "k": yesterday})
        db.session.commit()
        assert clerk_overdue("wm") == before and tallies_match_marks()
        db.session.execute(text("UPDATE checklist_mark SET done = true WHERE item_id = :i"), {"i": item_id})
        db.session.commit()
        assert clerk_overdue("wm") == before - 1
        db.session.execute(text("DELETE FROM checklist_mark WHERE item_id = :i"), {"i": item_id})
        db.session.commit()
        assert clerk_overdue("wm") == before and tallies_match_marks()

    # and through the app: the supervisor's tick, then taking it back
    client.login("wm")
    assert client.post_form(f"/checklists/items/{item_id}/{yesterday}/tick").status_code == 303
    with app.app_context():
        assert clerk_overdue("wm") == before - 1 and tallies_match_marks()
    assert client.post_form(f"/checklists/items/{item_id}/{yesterday}/untick").status_code == 303
    with app.app_context():
        assert clerk_overdue("wm") == before and tallies_match_marks()


def test_writers_at_once_on_one_occurrence_lose_no_count(app):
    """Twelve people's marks of one occurrence written at the same moment, each in its own
    transaction (an item for each holder, ticked by everyone at 08:00): the tally counts
    twelve. On PostgreSQL the writers really overlap; the upsert's row lock orders them."""
    with app.app_context():
        item_id = db.session.scalar(select(ChecklistItem.id).filter_by(seed_key="wclerk_chaoyue"))

    def write(subject: int):
        def go():
            with app.app_context():
                db.session.add(ChecklistMark(item_id=item_id, period_key="2026-01-05", subject_id=subject,
                                             due_at=datetime(2026, 1, 5, 17, 30), done=True))
                db.session.commit()
                # and half of them take it back at once
                if subject % 2:
                    db.session.execute(text("UPDATE checklist_mark SET done = false WHERE item_id = :i AND "
                                            "period_key = '2026-01-05' AND subject_id = :s"),
                                       {"i": item_id, "s": subject})
                    db.session.commit()
                db.session.remove()
        return go

    race([write(s) for s in range(1, 13)])
    with app.app_context():
        tally = db.session.get(ChecklistTally, (item_id, "2026-01-05"))
        assert tally.done == 6 and tallies_match_marks()
