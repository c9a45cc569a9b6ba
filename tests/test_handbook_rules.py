"""The handbook's editor mapping and the draft's audit moved out of handbook/routes.py
(issue 27), called without HTTP: a position shown on its editor and saved back untouched
is the same position; adopting a draft is recorded by the rule itself."""
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db
from app.handbook.editing import SPARE_ROWS, fill_form, input_from
from app.handbook.forms import GlossaryForm, PositionEditForm
from app.handbook.revisions import current_revision, duties_of
from app.org.models import Position


def _position(key):
    return db.session.scalar(select(Position).filter_by(seed_key=key))


def test_a_position_on_its_editor_and_back_is_unchanged(app):
    with app.test_request_context():
        # a position of the document whose duties have sub-items
        clerk = next(p for p in db.session.scalars(select(Position).order_by(Position.id))
                     if any(d.items for d in duties_of(p)))
        revision = current_revision(clerk)
        form = PositionEditForm(position=clerk)
        fill_form(form, clerk, revision)
        data = input_from(form)
        assert (data.title, data.department, data.is_external) == (clerk.title, clerk.department, clerk.is_external)
        assert data.superior_ids == {p.id for p in clerk.superiors}
        assert data.subordinate_ids == {p.id for p in clerk.subordinates}
        assert data.base_revision == (revision.number if revision else 0)
        expected = [(r.id, r.text, sub) for duty in duties_of(clerk)
                    for r, sub in [(duty, False)] + [(c, True) for c in duty.items]]
        rows = [(r.id, r.text, r.sub) for r in data.duties]
        assert rows[:len(expected)] == expected
        assert rows[len(expected):] == [(None, "", False)] * SPARE_ROWS
        orders = [r.order for r in data.duties]
        assert orders == sorted(orders) and len(set(orders)) == len(orders)


def test_an_editor_started_from_a_draft_lists_its_rows_first(app):
    from app.handbook.drafts import draft_for

    with app.test_request_context():
        tech = _position("technician")
        draft = draft_for(tech)
        form = PositionEditForm(position=tech)
        fill_form(form, tech, None, draft.duties)
        assert form.from_draft.data == "1" and "参考草稿" in form.note.data
        data = input_from(form)
        assert [r.text for r in data.duties[:len(draft.duties)]] == list(draft.duties)
        assert data.base_revision == 0 and all(r.id is None for r in data.duties)


def test_what_the_editor_sends_that_is_no_number_is_none(app):
    with app.test_request_context():
        tech = _position("technician")
        form = PositionEditForm(position=tech)
        fill_form(form, tech, None)
        form.base_revision.data = "x1"
        form.duties.entries[0].form.id.data = "12a"
        form.duties.entries[0].form.order.data = None
        data = input_from(form)
        assert data.base_revision == -1 and data.duties[0].id is None and data.duties[0].order == 10


def test_adopting_a_draft_is_recorded_by_the_rule(app, make_user):
    from app.handbook.drafts import adopt

    admin = make_user("root", admin=True)
    with app.test_request_context():
        revision = adopt(_position("technician"), db.session.get(User, admin.id), 0)
        entry = db.session.scalar(select(AuditEntry).filter_by(action="position_draft_adopted"))
        assert entry.summary == f"「技师」采用参考草稿，生成第 {revision.number} 版"
        assert db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action="position_draft_adopted")) == 1


def test_a_glossary_terms_spellings_are_shown_comma_separated(app):
    from types import SimpleNamespace

    with app.test_request_context():
        form = GlossaryForm()
        form.fill_from(SimpleNamespace(aliases="TACT系统|TACT工单"))
        assert form.aliases.data == "TACT系统，TACT工单"
        form.fill_from(SimpleNamespace(aliases=""))
        assert form.aliases.data == ""


def test_a_reporting_line_gives_both_positions_a_revision(app, make_user):
    import pytest

    from app.handbook.models import PositionRevision
    from app.handbook.org_changes import LINE_NOTE, add_reporting_line, new_position, remove_reporting_line
    from app.org.chart import OrgError

    admin = make_user("root", admin=True)
    with app.test_request_context():
        author = db.session.get(User, admin.id)

        def notes(position):
            return list(db.session.scalars(select(PositionRevision.note).filter_by(position_id=position.id)
                                           .order_by(PositionRevision.number)))

        trainee = new_position("见习技师", "售后服务部", False, author)
        assert notes(trainee) == ["新建岗位"]
        with pytest.raises(OrgError):
            new_position("见习技师", "售后服务部", False, author)  # the title is taken
        tech = _position("technician")
        before = notes(tech)
        line = add_reporting_line(tech, trainee, author)
        assert notes(trainee) == ["新建岗位", LINE_NOTE] and notes(tech) == before + [LINE_NOTE]
        with pytest.raises(OrgError):
            add_reporting_line(trainee, trainee, author)
        assert notes(trainee) == ["新建岗位", LINE_NOTE]  # a refused line revises nothing
        remove_reporting_line(line, author)
        assert notes(trainee) == ["新建岗位", LINE_NOTE, LINE_NOTE] and trainee.superiors == []
