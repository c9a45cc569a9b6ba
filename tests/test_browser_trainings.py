"""A training in a real browser: create, upload photos, sign in, open the printed record."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.trainings.models import Attendee, TrainingFile
from tests import imagegen
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_create_upload_sign_in_and_print(app, live_server, page, make_user, tmp_path):
    make_user("clerk", position="workshop_clerk", can_record_trainings=True)
    make_user("t1", position="technician", employee_no="T1")
    make_user("t2", position="technician", employee_no="T2")
    photos = []
    for n, color in enumerate(((200, 30, 30), (30, 200, 30))):
        path = tmp_path / f"现场{n}.jpg"
        path.write_bytes(imagegen.jpeg((1200, 900), color))
        photos.append(str(path))
    browser_login(page, live_server, "clerk")
    page.click("nav.mainnav >> text=培训档案")
    page.wait_for_url(re.compile(r"/trainings/$"))
    page.click("text=新建培训")
    expect(page.locator("h1")).to_have_text("新建培训")
    page.fill("input[name=topic]", "轮胎动平衡操作培训")
    page.fill("input[name=start_time]", "14:00")
    page.fill("input[name=end_time]", "15:30")
    page.fill("input[name=trainer_name]", "技术主管 郑工")
    page.fill("input[name=place]", "车间")
    page.click("button:has-text('保存')")
    page.wait_for_url(re.compile(r"/trainings/\d+$"))
    expect(page.locator("h1")).to_contain_text("轮胎动平衡操作培训")
    # the whole 技师 position at once
    with app.app_context():
        from app.org.models import Position

        tech = str(db.session.scalar(select(Position.id).filter_by(seed_key="technician")))
    page.select_option("select[name=position_id]", value=tech)
    page.locator("form:has(select[name=position_id]) button").click()
    expect(page.locator("tr.att-row")).to_have_count(2)
    # upload two photos through the HTMX form
    section = page.locator("#files-photo")
    section.locator("input[type=file]").set_input_files(photos)
    section.locator("button:has-text('上传')").click()
    expect(page.locator("#files-photo .photo")).to_have_count(2)
    expect(page.locator("#files-photo .upload-results")).to_contain_text("已上传")
    # one tap per attendee: only that row and the totals change
    page.locator("tr.att-row").nth(0).locator("button.sign-signed").click()
    expect(page.locator("tr.att-row").nth(0)).to_contain_text("已签到")
    page.locator("tr.att-row").nth(1).locator("button.sign-leave").click()
    expect(page.locator("tr.att-row").nth(1)).to_contain_text("请假")
    expect(page.locator("#att-totals")).to_contain_text("已签到 1 · 请假 1")
    with app.app_context():
        assert sorted(a.status for a in db.session.scalars(select(Attendee))) == ["leave", "signed"]
        assert db.session.scalar(select(TrainingFile.id).limit(1)) is not None
    # the printed record opens as a PDF
    href = page.get_attribute("a:has-text('打印培训记录')", "href")
    response = page.request.get(live_server + href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    from tests.pdftools import pdfimages_count, pdftotext

    body = response.body()
    assert "轮胎动平衡操作培训" in pdftotext(body) and "t1" in pdftotext(body)
    assert pdfimages_count(body) == 2
