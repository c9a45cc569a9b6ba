"""Every page of the app on a phone (390×844, touch), with the demo data, as admin and as a
plain employee: no sideways scroll (the month grid scrolls inside its own box), no
console error, no failed request. Screenshots are saved in test-screenshots/ for people
to look at; none is compared."""
import os
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.conftest import TEST_PASSWORD, browser_login

pytestmark = pytest.mark.browser

SHOTS = os.path.join(os.path.dirname(__file__), "..", "test-screenshots")
SKIP_ENDPOINTS = {"static", "auth.login", "handbook.edit_row", "supplies.slip_line"}  # login, fragments


def demo_ids() -> dict:
    """A demo object for every kind of id in a URL."""
    from app.auth.models import User
    from app.checklists.models import ChecklistField, ChecklistItem, ChecklistMark
    from app.equipment.models import Count, CountLine, Equipment, Loan, Verification
    from app.handbook.models import Duty, GlossaryTerm
    from app.staff.models import Employee
    from app.supplies.models import IssueSlip, Requisition, SupplyItem
    from app.trainings.models import Training, TrainingFile

    mark = db.session.scalar(select(ChecklistMark).order_by(ChecklistMark.id.desc()))
    return {
        "position_id": db.session.scalar(select(Duty.position_id).group_by(Duty.position_id)
                                         .order_by(func.count().desc())),
        "user_id": db.session.scalar(select(User.id).filter_by(username="hesf")),
        "employee_id": db.session.scalar(select(Employee.id).filter_by(employee_no="S012")),
        "term_id": db.session.scalar(select(GlossaryTerm.id)),
        "number": 1,
        "checklists.item_id": mark.item_id, "period_key": mark.period_key,
        "supplies.item_id": db.session.scalar(select(SupplyItem.id)),
        "req_id": db.session.scalar(select(Requisition.id)),
        "slip_id": db.session.scalar(select(IssueSlip.id)),
        "training_id": db.session.scalar(select(Training.id).join(TrainingFile).order_by(Training.id)),
        "file_id": db.session.scalar(select(TrainingFile.id)), "size": "thumb",
        "_item_fallback": db.session.scalar(select(ChecklistItem.id)),
        "field_id": db.session.scalar(select(ChecklistField.id).order_by(ChecklistField.id)),
        # the aligner: verification records, the forms of a clerk's view
        "equipment.item_id": db.session.scalar(select(Equipment.id).filter_by(asset_no="JC-01")),
        "verification_id": db.session.scalar(select(Verification.id).order_by(Verification.id)),
        # the open count (its one-tap forms, the closing form) and an open loan (the return form)
        "count_id": db.session.scalar(select(Count.id).filter_by(status="open").order_by(Count.id)),
        "line_id": db.session.scalar(select(CountLine.id).order_by(CountLine.id)),
        "loan_id": db.session.scalar(select(Loan.id).filter(Loan.returned_at.is_(None)).order_by(Loan.id)),
        # a submitted workshop 5S inspection with findings, an action, a photo, a template
        **inspection_ids(),
    }


def inspection_ids() -> dict:
    from app.inspections.models import CorrectiveAction, InspectionPhoto, InspectionTemplate

    action = db.session.scalar(select(CorrectiveAction).order_by(CorrectiveAction.id))
    return {"insp_id": action.inspection_id if action else None, "action_id": action.id if action else None,
            "item_key": action.item_key if action else None,
            "photo_id": db.session.scalar(select(InspectionPhoto.id).order_by(InspectionPhoto.id)),
            "template_id": db.session.scalar(select(InspectionTemplate.id).order_by(InspectionTemplate.id))}


def html_pages(app) -> list[str]:
    """Every GET page of the URL map that answers with HTML, with demo ids filled in."""
    with app.app_context():
        ids = demo_ids()
        urls = []
        with app.test_request_context():
            from flask import url_for

            for rule in app.url_map.iter_rules():
                if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS:
                    continue
                if rule.rule.endswith((".pdf", ".csv", ".xlsx")) or rule.endpoint in ("trainings.file_get", "checklists.value_file",
                                                                           "inspections.photo",
                                                                           "coverage.certificate_scan",
                                                                           "equipment.verification_scan",
                                                                           "equipment.fault_photo",  # images
                                                                           "equipment.item_photo"):
                    continue
                args = {}
                for name in rule.arguments:
                    key = f"{rule.endpoint.split('.')[0]}.{name}"
                    args[name] = ids.get(key, ids.get(name))
                urls.append(url_for(rule.endpoint, **args))
    return sorted(set(urls))


@pytest.fixture
def app(demo_app):
    """A copy of the session's demo database (conftest.demo_template: seed-demo, every
    account's password TEST_PASSWORD, as after their first login)."""
    return demo_app


@pytest.fixture
def demo(app, make_user):
    make_user("boss", admin=True)
    return TEST_PASSWORD


def walk(page, base, urls, who) -> list[str]:
    problems, errors, failed = [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # ERR_ABORTED: a request cancelled by the next navigation, not a failure.
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}") if "ERR_ABORTED" not in (r.failure or "")
            else None)
    page.on("response", lambda r: failed.append(f"{r.url} HTTP {r.status}")
            if r.status >= 400 and r.request.resource_type != "document" else None)
    os.makedirs(SHOTS, exist_ok=True)
    for url in urls:
        errors.clear()
        failed.clear()
        response = page.goto(base + url)
        status = response.status if response else 0
        if status >= 500:
            problems.append(f"{who} {url}: HTTP {status}")
            continue
        page.wait_for_load_state("load")
        # A phone browser may widen its layout viewport to fit wide content; measure against
        # the device width too, so such a page does not pass by zooming out.
        overflow = page.evaluate("document.scrollingElement.scrollWidth - Math.min(window.innerWidth, 390)")
        if overflow > 0:
            wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap, .orgchart, .subnav'))
                .slice(0, 3).map(e => e.tagName + '.' + e.className)""")
            problems.append(f"{who} {url}: scrolls sideways by {overflow}px ({wide})")
        # The document's own 403 (a page this user may not see) is an expected answer.
        own = [e for e in errors if not (status in (403, 404) and "Failed to load resource" in e)]
        if own:
            problems.append(f"{who} {url}: console {own[:2]}")
        if failed:
            problems.append(f"{who} {url}: failed {failed[:2]}")
        name = re.sub(r"[^A-Za-z0-9]+", "_", url).strip("_") or "home"
        page.screenshot(path=os.path.join(SHOTS, f"phone-{who}-{name}.png"), full_page=False)
    return problems


def test_every_page_fits_a_phone(app, live_server, browser, demo):
    urls = html_pages(app)
    assert len(urls) > 40
    problems = []
    for who, password in (("boss", None), ("hesf", demo)):
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, has_touch=True,
                                      is_mobile=True, device_scale_factor=1)
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
        page = context.new_page()
        if password:
            browser_login(page, live_server, who, password)
        else:
            browser_login(page, live_server, who)
        problems += walk(page, live_server, urls, who)
        context.close()
    assert not problems, "\n".join(problems)
