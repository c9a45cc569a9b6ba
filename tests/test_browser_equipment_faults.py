"""On a phone (390×844): a technician opens a lift's page (as from its QR label), taps 报修,
describes the fault with a photo and sends it; the page then shows 故障（报修中） and the
report with its photo."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.equipment import rules as register
from app.equipment.models import Equipment, Fault
from app.extensions import db
from tests.conftest import browser_login
from tests.imagegen import jpeg
from tests.test_equipment import item_data

pytestmark = pytest.mark.browser
PHONE = dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")


def test_a_technician_reports_a_fault_from_the_item_page_on_a_phone(app, live_server, browser, make_user, tmp_path):
    make_user("tech", position="technician")
    with app.app_context():
        item = register.create(item_data(asset_no="JS-02", name="双柱举升机", category="举升设备",
                                         needs_verification=False, verify_months=None, location="2号工位"), None)
        db.session.commit()
        item_id = item.id
    photo = tmp_path / "fault.jpg"
    photo.write_bytes(jpeg((1600, 1200)))
    ctx = browser.new_context(**PHONE)
    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    p = ctx.new_page()
    browser_login(p, live_server, "tech")
    p.goto(f"{live_server}/equipment/{item_id}")
    expect(p.locator("h1")).to_contain_text("双柱举升机")
    p.get_by_role("link", name="报修", exact=True).tap()
    expect(p.locator("h1")).to_contain_text("报修：双柱举升机")
    # nothing described: a message beside the field, nothing reported
    p.get_by_role("button", name="提交报修").tap()
    expect(p.locator(".field.has-error")).to_contain_text("请描述故障现象")
    p.get_by_label("故障现象").fill("举升后缓慢下沉，液压缸有油迹")
    p.get_by_label("照片（可选，最多 6 张）").set_input_files(str(photo))
    p.get_by_role("button", name="提交报修").tap()
    p.wait_for_url(re.compile(rf"/equipment/{item_id}(#faults)?$"))
    expect(p.locator(".flash, [role=status], .notice").first).to_contain_text("已报修")
    expect(p.locator("p .eq-fault").first).to_have_text("故障（报修中）")
    card = p.locator(".eq-fault-card")
    expect(card).to_contain_text("举升后缓慢下沉")
    expect(card.locator("img")).to_have_count(1)
    assert card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    assert p.evaluate("document.scrollingElement.scrollWidth") <= 390  # nothing wider than the phone
    ctx.close()
    with app.app_context():
        assert db.session.scalar(select(Fault)).description.startswith("举升后缓慢下沉")
        assert db.session.get(Equipment, item_id).state == "repair"


def test_a_refused_verification_shows_its_message_on_a_phone_and_the_address_reloads(app, live_server, browser,
                                                                                     make_user):
    """登记检定/校准 without a certificate number (a form with a file, posted without
    boosting): the page comes back with the message in sight, not 1,000 px below, and the
    address bar shows the item's page again, which reloads as itself, not 405."""
    make_user("clerk", position="workshop_clerk", can_manage_equipment=True)
    with app.app_context():
        item = register.create(item_data(asset_no="JC-08", name="烟度计", category="检测/计量设备", needs_verification=True,
                                         verify_months=12, location="检测区"), None)
        db.session.commit()
        item_id = item.id
    ctx = browser.new_context(**PHONE)
    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    p = ctx.new_page()
    browser_login(p, live_server, "clerk")
    p.goto(f"{live_server}/equipment/{item_id}")
    p.locator("summary", has_text="登记检定/校准").tap()
    with p.expect_navigation():
        p.get_by_role("button", name="保存检定/校准").tap()
    error = p.locator(".field.has-error").first
    expect(error).to_contain_text("请填写证书编号")
    expect(error).to_be_in_viewport()
    assert p.url.endswith(f"/equipment/{item_id}")  # not the form's /verifications
    with p.expect_navigation():
        p.reload()  # a GET of the item's page: not 405, nor the form posted again
    assert p.url.endswith(f"/equipment/{item_id}")
    expect(p.locator("h1")).to_contain_text("烟度计")
    expect(p.locator(".field.has-error")).to_have_count(0)
    ctx.close()
