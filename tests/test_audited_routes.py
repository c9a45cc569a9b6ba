"""The success path of writing routes no other test drives to the end: each change is made,
shown, and written to the audit log (test_zz_audit_invariant.py holds every route to it)."""
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.checklists.models import ChecklistItem
from app.coverage.models import Onboarding, OnboardingDone, OnboardingStep
from app.extensions import db
from app.notices.models import WebhookTarget
from app.org.models import Position
from app.staff.models import Employee
from app.supplies.models import SupplyCategory, SupplyItem
from app.trainings.models import TrainingCategory, TrainingFile
from tests.test_trainings import clerk, training_id  # noqa: F401 (fixtures)


def audited(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).filter_by(action=action)))


def test_a_new_training_category(app, client, make_user):
    make_user("clerk", can_record_trainings=True)
    client.login("clerk")
    r = client.post_form("/trainings/categories", {"name": "新能源"}, follow_redirects=True)
    assert "已新增类别“新能源”" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(TrainingCategory).filter_by(name="新能源")) is not None
    assert [e.summary for e in audited(app, "training_category")] == ["新增培训类别 新能源"]


def test_a_new_supply_item_and_its_edit(app, admin_client):
    with app.app_context():
        cat = db.session.scalar(select(SupplyCategory.id).filter_by(name="劳保用品"))
    form = {"name": "防割手套", "spec": "L", "category_id": cat, "unit": "副", "decimals": "0", "min_stock": "10",
            "size_kind": "", "active": "y"}
    assert admin_client.post_form("/supplies/items/new", form).status_code == 303
    with app.app_context():
        item = db.session.scalar(select(SupplyItem).filter_by(name="防割手套"))
        assert item is not None and item.min_stock == 10_000
    r = admin_client.post_form(f"/supplies/items/{item.id}/edit", {**form, "min_stock": "20"})
    assert r.status_code == 303
    with app.app_context():
        assert db.session.get(SupplyItem, item.id).min_stock == 20_000
    assert len(audited(app, "supply_item_create")) == 1 and len(audited(app, "supply_item_update")) == 1


def test_a_robot_removed(app, admin_client):
    with app.app_context():
        target = WebhookTarget(url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x")
        db.session.add(target)
        db.session.commit()
        target_id = target.id
    r = admin_client.post_form(f"/notices/webhooks/{target_id}/remove", {}, follow_redirects=True)
    assert "已停用该群机器人" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(WebhookTarget, target_id).active is False
    assert len(audited(app, "webhook_remove")) == 1


def test_an_onboarding_step_marked_done_by_the_supervisor(app, client, make_user):
    make_user("wm", position="workshop_manager")
    with app.app_context():
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        step = OnboardingStep(position_id=tech.id, title="师傅带教", due_days=14)
        emp = Employee(employee_no="N1", name="新人甲", position=tech)
        db.session.add_all([step, emp])
        db.session.commit()
        step_id, emp_id = step.id, emp.id
    client.login("wm")
    r = client.post_form(f"/coverage/employees/{emp_id}/onboarding/steps/{step_id}", {"note": "何师傅带教"})
    assert r.status_code == 303
    with app.app_context():
        done = db.session.scalar(select(OnboardingDone).filter_by(step_id=step_id))
        assert done is not None and done.note == "何师傅带教"
    assert [e.summary for e in audited(app, "onboarding_step_done")] == ["新人甲：入职步骤「师傅带教」已完成"]


def test_a_photo_caption_and_order(app, client, clerk, training_id):
    from tests import imagegen
    from tests.test_trainings import upload

    client.login("clerk")
    upload(client, training_id, "photo", [("a.jpg", imagegen.jpeg())])
    with app.app_context():
        fid = db.session.scalar(select(TrainingFile.id))
    r = client.post_form(f"/trainings/files/{fid}/caption", {"caption": "实操演示", "sort_order": "2"})
    assert r.status_code == 303
    assert "实操演示" in client.get(f"/trainings/{training_id}").get_data(as_text=True)
    with app.app_context():
        f = db.session.get(TrainingFile, fid)
        assert (f.caption, f.sort_order) == ("实操演示", 2)
    assert len(audited(app, "training_file_caption")) == 1


def test_an_onboarding_plan_started_with_a_mentor(app, client, clerk):
    with app.app_context():
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        mentor = db.session.scalar(select(Employee).filter_by(employee_no="T0"))
        emp = Employee(employee_no="N2", name="新人乙", position=tech)
        db.session.add(emp)
        db.session.commit()
        emp_id, mentor_id = emp.id, mentor.id
    client.login("clerk")
    r = client.post_form(f"/coverage/employees/{emp_id}/onboarding", {"mentor": mentor_id}, follow_redirects=True)
    assert "入职计划已保存" in r.get_data(as_text=True)
    with app.app_context():
        ob = db.session.scalar(select(Onboarding).filter_by(employee_id=emp_id))
        assert ob is not None and ob.mentor_id == mentor_id
    assert len(audited(app, "onboarding_update")) == 1


def test_checklist_items_reordered(app, admin_client):
    with app.app_context():
        position_id = db.session.scalar(select(Position.id).filter_by(seed_key="after_sales_clerk"))
        order = lambda: [i.id for i in db.session.scalars(  # noqa: E731
            select(ChecklistItem).filter_by(position_id=position_id, active=True)
            .order_by(ChecklistItem.sort_order, ChecklistItem.id))]
        before = order()
    assert len(before) >= 2
    r = admin_client.post_form(f"/checklists/items/{before[1]}/move", {"dir": "up"})
    assert r.status_code == 303
    with app.app_context():
        assert order()[:2] == [before[1], before[0]]
    assert len(audited(app, "checklist_item_update")) >= 1


def test_moving_the_first_item_up_changes_nothing(app, admin_client):
    """The first item moved up (the fuzz test found it): no item's number changes, even
    where removed items left gaps in the numbering, so there is nothing to record."""
    with app.app_context():
        position_id = db.session.scalar(select(Position.id).filter_by(seed_key="after_sales_clerk"))
        items = list(db.session.scalars(select(ChecklistItem).filter_by(position_id=position_id)
                                        .order_by(ChecklistItem.sort_order, ChecklistItem.id)))
        for n, item in enumerate(items):
            item.sort_order = 10 * (n + 1)  # gaps
        db.session.commit()
        numbers = lambda: [i.sort_order for i in db.session.scalars(  # noqa: E731
            select(ChecklistItem).filter_by(position_id=position_id).order_by(ChecklistItem.id))]
        before, first = numbers(), items[0].id
    assert admin_client.post_form(f"/checklists/items/{first}/move", {"dir": "up"}).status_code == 303
    with app.app_context():
        assert numbers() == before
    assert audited(app, "checklist_item_update") == []


def test_a_requirement_retired_and_restored(app, admin_client):
    from app.coverage.models import Requirement

    with app.app_context():
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        cat = db.session.scalar(select(TrainingCategory).order_by(TrainingCategory.id))
        req = Requirement(position_id=tech.id, name="安全生产培训", category_id=cat.id, interval_months=12)
        db.session.add(req)
        db.session.commit()
        req_id = req.id
    assert admin_client.post_form(f"/coverage/requirements/{req_id}/active", {"active": "0"}).status_code == 303
    with app.app_context():
        assert db.session.get(Requirement, req_id).active is False
    assert admin_client.post_form(f"/coverage/requirements/{req_id}/active", {"active": "1"}).status_code == 303
    with app.app_context():
        assert db.session.get(Requirement, req_id).active is True
    assert len(audited(app, "requirement_update")) == 2


def test_an_item_edit_that_leaves_the_minimum_out_keeps_it(app, admin_client):
    """The form read the stored milli-units back as units when a post left the field out:
    each such save multiplied the minimum by 1000 (and overflowed the column on PostgreSQL,
    found by the fuzz test)."""
    with app.app_context():
        item = db.session.scalar(select(SupplyItem).order_by(SupplyItem.id))
        if item is None:
            cat = db.session.scalar(select(SupplyCategory).order_by(SupplyCategory.id))
            item = SupplyItem(name="防割手套", spec="", category_id=cat.id, unit="副", decimals=0, min_stock=5_000)
            db.session.add(item)
        else:
            item.min_stock = 5_000
        db.session.commit()
        item_id = item.id
    for _ in range(2):
        assert admin_client.post_form(f"/supplies/items/{item_id}/edit", {"a": ""}).status_code == 303
    with app.app_context():
        assert db.session.get(SupplyItem, item_id).min_stock == 5_000
