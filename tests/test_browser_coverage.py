"""The training clerk closes a gap from the coverage matrix, in a real browser."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_clerk_selects_the_missing_and_creates_their_training(app, live_server, page, make_user):
    from app.coverage.models import Requirement
    from app.org.models import Position
    from app.staff.models import Employee
    from app.trainings.models import PLANNED, Training, TrainingCategory

    make_user("clerk", position="workshop_clerk", can_record_trainings=True)
    with app.app_context():
        tech = db.session.scalar(select(Position).filter_by(seed_key="technician"))
        cat = db.session.scalar(select(TrainingCategory.id).filter_by(name="厂家培训"))
        req = Requirement(position_id=tech.id, name="厂家技术认证", category_id=cat)
        db.session.add(req)
        for no, name in (("T1", "马超"), ("T2", "黄小明"), ("T3", "林涛")):
            db.session.add(Employee(employee_no=no, name=name, position_id=tech.id))
        db.session.commit()
        rid = req.id
    browser_login(page, live_server, "clerk")
    page.goto(live_server + "/trainings/")
    page.get_by_role("link", name="培训覆盖").click()
    page.wait_for_url(re.compile(r"/coverage/$"))
    expect(page.locator("h1")).to_have_text("培训覆盖矩阵")
    for name in ("马超", "林涛"):
        page.get_by_label(f"选择 {name}（厂家技术认证）").check()
    page.locator(f"button.gap-btn[value='{rid}']").click()
    page.wait_for_url(re.compile(r"/trainings/\d+/edit$"))
    expect(page.locator(".flash, .flashes, [role=status]").first).to_contain_text("已为 2 人新建培训「厂家技术认证」")
    with app.app_context():
        t = db.session.scalar(select(Training).order_by(Training.id.desc()))
        assert t.status == PLANNED and sorted(a.name for a in t.attendees) == ["林涛", "马超"]
    page.goto(live_server + f"/trainings/{t.id}")
    expect(page.locator("body")).to_contain_text("马超")
    expect(page.locator("body")).to_contain_text("林涛")
