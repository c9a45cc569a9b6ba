"""An inspection on a phone (390×844) in a real browser: start it, answer item by item with
one tap each (HTMX saves every answer), fail one, photograph it with the file input the
phone's camera fills, submit; the refused submit names the item and keeps every answer."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.inspections import templates as tpl
from app.inspections.models import Inspection, InspectionAnswer, InspectionPhoto, InspectionTemplate
from tests import imagegen
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    p = context.new_page()
    yield p
    context.close()


def test_an_inspection_with_a_fail_and_a_photo_on_a_phone(app, live_server, phone, make_user, tmp_path):
    make_user("wm", position="workshop_manager")
    with app.app_context():
        tpl.load_shipped()
        db.session.commit()
    photo = tmp_path / "通道.jpg"
    photo.write_bytes(imagegen.jpeg((1600, 1200), (90, 90, 200)))
    page = phone
    browser_login(page, live_server, "wm")
    page.goto(live_server + "/inspections/")
    page.locator("form:has-text('车间5S检查') button:has-text('开始')").click()
    page.wait_for_url(re.compile(r"/inspections/\d+$"))
    insp_id = int(page.url.rsplit("/", 1)[1])
    items = page.locator(".insp-item")
    count = items.count()
    assert count == 11
    for n in range(count):
        item = items.nth(n)
        key = item.get_attribute("id")
        if key == "item-w2":  # the note first, then 不合格 (no 保存备注): the note goes with the answer
            item.locator("summary:has-text('备注 / 照片')").click()  # folded while the item is fine
            item.locator("input[name=note]").fill("通道堆放轮胎")
            item.locator("button:has-text('不合格')").click()
            expect(page.locator("#item-w2 input[name=note]")).to_have_value("通道堆放轮胎")
        elif item.locator("button:has-text('合格')").count():
            item.locator("button", has_text=re.compile("^合格$")).click()
        elif item.locator("button:has-text('是')").count():
            item.locator("button", has_text=re.compile("^是$")).click()
        elif item.locator("button:has-text('5')").count():
            item.locator("button", has_text=re.compile("^5$")).click()
        else:
            item.locator("input[type=number]").fill("100")
            item.locator("button:has-text('保存')").first.click()
        # the card came back from the server with its answer marked (HTMX swap)
        expect(page.locator(f"#{key} .answer-btns button.on, #{key} input[type=number][value]")).not_to_have_count(0)
    expect(page.locator("#insp-score")).to_contain_text("已答 11/11 项")
    expect(page.locator("#insp-score")).to_contain_text("问题 1 项")
    # submitting without the photo the failed item requires: refused, the item named
    page.locator("button:has-text('提交检查')").click()
    expect(page.locator("#problems")).to_contain_text("通道、安全出口畅通无阻挡」不合格，须拍照")
    # the phone's camera fills the file input; choosing the picture uploads it at once
    w2 = page.locator("#item-w2")
    assert w2.locator("input[type=file]").get_attribute("capture") == "environment"
    w2.locator("input[type=file]").set_input_files(str(photo))
    expect(page.locator("#item-w2 .insp-photos img")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "inspection-390.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("button:has-text('提交检查')").click()
    expect(page.locator(".flash-success")).to_contain_text("检查已提交")
    expect(page.locator("#findings")).to_contain_text("通道、安全出口畅通无阻挡")
    with app.app_context():
        insp = db.session.get(Inspection, insp_id)
        assert insp.state == "submitted" and insp.score == 85.0 and insp.passed is True
        w2 = db.session.scalar(select(InspectionAnswer).filter_by(inspection_id=insp_id, item_key="w2"))
        assert (w2.value, w2.note) == ("fail", "通道堆放轮胎")
        assert len(list(db.session.scalars(select(InspectionPhoto).filter_by(inspection_id=insp_id)))) == 1


def test_an_action_done_with_an_after_photo_and_closed_on_a_phone(app, live_server, phone, browser, make_user,
                                                                  tmp_path):
    """The assignee records what he did with a photo from his phone; the inspector closes it."""
    from datetime import timedelta

    from app import clock
    from app.auth.models import User
    from app.inspections import actions, inspecting

    make_user("wm", position="workshop_manager")
    make_user("tech", position="technician", employee_no="T-9")
    with app.app_context():
        tpl.load_shipped()
        users = {u.username: u for u in db.session.scalars(select(User))}
        template = db.session.scalar(select(InspectionTemplate).filter_by(key="workshop_5s"))
        insp = inspecting.start(template, tpl.area("workshop"), users["wm"])
        for item in insp.version.items():
            value = {"pass_fail": "pass", "yes_no": "yes", "score": "5", "number": "100"}[item["type"]]
            inspecting.answer(insp, item["key"], "fail" if item["key"] == "w8" else value, "", users["wm"])
        inspecting.add_photo(insp, "w8", type("U", (), {"read": lambda self: imagegen.jpeg()})(), users["wm"], [])
        inspecting.submit(insp, users["wm"])
        action = actions.assign(insp, "w8", users["tech"].employee_id, clock.local_now().date() + timedelta(days=1),
                                "三件套补齐", users["wm"])
        db.session.commit()
        action_id = action.id
    after = tmp_path / "after.jpg"
    after.write_bytes(imagegen.jpeg((1600, 1200), (30, 160, 60)))
    page = phone
    browser_login(page, live_server, "tech")
    page.locator("a:has-text('车辆三件套')").first.click()  # from his workspace card
    page.wait_for_url(re.compile(rf"/inspections/actions/{action_id}$"))
    page.fill("textarea[name=note]", "已补齐座椅套、方向盘套")
    assert page.locator("input[name=photo]").get_attribute("capture") == "environment"
    page.set_input_files("input[name=photo]", str(after))
    page.click("button:has-text('整改完成')")
    expect(page.locator(".flash-success")).to_contain_text("已登记整改完成")
    expect(page.locator("button:has-text('验证通过')")).to_have_count(0)  # not his to verify
    page.context.clear_cookies()
    browser_login(page, live_server, "wm")
    page.goto(f"{live_server}/inspections/actions/{action_id}")
    page.click("button:has-text('验证通过，关闭')")
    expect(page.locator(".flash-success")).to_contain_text("整改已验证关闭")
    expect(page.locator("dl.facts")).to_contain_text("已关闭")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_inspection_list_and_a_draft_photo_removed_on_a_phone(app, live_server, phone, make_user, tmp_path):
    """The list is two short lines a record on a phone (no labelled six-line cards), with
    its filters; a photo taken by mistake on a draft is removed from its card (HTMX) after
    the confirmation."""
    from app.auth.models import User
    from app.inspections import inspecting

    make_user("wm", position="workshop_manager")
    with app.app_context():
        tpl.load_shipped()
        wm = db.session.scalar(select(User).filter_by(username="wm"))
        template = db.session.scalar(select(InspectionTemplate).filter_by(key="workshop_5s"))
        for area in ("workshop", "workshop_tools", "workshop"):
            insp = inspecting.start(template, tpl.area(area), wm)
        db.session.commit()
        insp_id = insp.id
    page = phone
    browser_login(page, live_server, "wm")
    page.goto(live_server + "/inspections/")
    rows = page.locator("table.insp-list tbody tr")
    expect(rows).to_have_count(3)
    for n in range(3):
        # two or three short lines (a long area name wraps), not a card of six labelled ones
        assert rows.nth(n).bounding_box()["height"] < 100
    assert "日期：" not in rows.first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.select_option("form.insp-filters select[name=area]", "workshop_tools")
    page.click("form.insp-filters button[type=submit]")
    expect(rows).to_have_count(1)
    # a draft photo taken by mistake, removed
    shot = tmp_path / "wrong.jpg"
    shot.write_bytes(imagegen.jpeg((800, 600), (200, 90, 90)))
    page.goto(f"{live_server}/inspections/{insp_id}")
    page.locator("#item-w1 input[type=file]").set_input_files(str(shot))
    expect(page.locator("#item-w1 .insp-photos img")).to_have_count(1)
    page.once("dialog", lambda d: d.dismiss())  # "no" keeps it
    page.locator("#item-w1 .insp-photos button:has-text('删除')").click()
    expect(page.locator("#item-w1 .insp-photos img")).to_have_count(1)
    page.once("dialog", lambda d: d.accept())
    page.locator("#item-w1 .insp-photos button:has-text('删除')").click()
    expect(page.locator("#item-w1 .insp-photos img")).to_have_count(0)
    assert page.url.endswith(f"/inspections/{insp_id}")  # swapped in place, no reload
    with app.app_context():
        assert db.session.scalar(select(InspectionPhoto).filter_by(inspection_id=insp_id)) is None


def test_start_again_opens_the_draft_and_the_draft_is_deleted_after_the_confirmation(app, live_server, phone,
                                                                                     make_user):
    """On a phone: 开始 twice for the same area opens the one draft (and says so), the list
    offers 继续 on it, and 删除草稿 asks first: "no" keeps it, "yes" removes it."""
    make_user("wm", position="workshop_manager")
    with app.app_context():
        tpl.load_shipped()
        db.session.commit()
    page = phone
    browser_login(page, live_server, "wm")
    ids = []
    for _ in range(2):
        page.goto(live_server + "/inspections/")
        page.locator("form:has-text('车间5S检查') button:has-text('开始')").click()
        page.wait_for_url(re.compile(r"/inspections/\d+$"))
        ids.append(int(page.url.rsplit("/", 1)[1]))
    assert ids[0] == ids[1]
    expect(page.locator(".flash-info")).to_contain_text("已打开您未提交的草稿")
    page.goto(live_server + "/inspections/")
    expect(page.locator("table.insp-list tbody tr")).to_have_count(1)
    resume = page.locator("table.insp-list a.il-resume")
    assert resume.bounding_box()["height"] >= 32 and page.evaluate("document.documentElement.scrollWidth") <= 390
    resume.click()
    page.wait_for_url(re.compile(rf"/inspections/{ids[0]}$"))
    page.once("dialog", lambda d: d.dismiss())
    page.locator("button:has-text('删除草稿')").click()
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/inspections/{ids[0]}")
    with app.app_context():
        assert db.session.get(Inspection, ids[0]) is not None
    page.once("dialog", lambda d: d.accept())
    page.locator("button:has-text('删除草稿')").click()
    expect(page.locator(".flash-success")).to_contain_text("草稿已删除")
    expect(page.locator("table.insp-list a.il-resume")).to_have_count(0)
    with app.app_context():
        assert db.session.get(Inspection, ids[0]) is None


LABEL_BOXES = r"""() => { const svg = document.querySelector('svg.insp-trend'), s = svg.getBoundingClientRect();
  const scale = s.width / svg.viewBox.baseVal.width;  // the labels' size on the screen
  return [...svg.querySelectorAll('text > tspan, text:not(:has(tspan))')].map(e => { const b = e.getBoundingClientRect();
    return {text: e.textContent, year: /^\d{4}$/.test(e.textContent), size: parseFloat(getComputedStyle(e).fontSize) * scale,
            left: b.left - s.left, right: s.right - b.right,
            top: b.top - s.top, bottom: s.bottom - b.bottom, x0: b.left, x1: b.right, y0: b.top, y1: b.bottom}; }); }"""


@pytest.mark.parametrize("width", [390, 1366])
def test_the_trend_chart_labels_keep_apart_and_inside_on_a_phone_and_a_desktop(app, live_server, browser, make_user,
                                                                               width):
    """The year under 1月 (and under the first month) does not run into the month, the "100"
    of the axis does not touch the border, and the month names keep apart, at 390 px (the
    labels drawn larger) and at 1366 px."""
    from app.auth.models import User
    from app.inspections import inspecting

    make_user("wm", position="workshop_manager")
    with app.app_context():
        tpl.load_shipped()
        wm = db.session.scalar(select(User).filter_by(username="wm"))
        template = db.session.scalar(select(InspectionTemplate).filter_by(key="workshop_5s"))
        insp = inspecting.start(template, tpl.area("workshop"), wm)
        for item in insp.version.items():
            value = {"pass_fail": "pass", "yes_no": "yes", "score": "3", "number": "100"}[item["type"]]
            inspecting.answer(insp, item["key"], value, "", wm)
        inspecting.submit(insp, wm)
        db.session.commit()
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 844}, is_mobile=width < 600,
                                  has_touch=width < 600)
    page = context.new_page()
    try:
        browser_login(page, live_server, "wm")
        page.goto(live_server + "/inspections/trend?area=workshop")
        boxes = page.evaluate(LABEL_BOXES)
    finally:
        context.close()
    months = [b for b in boxes if b["text"].endswith("月")]
    years = [b for b in boxes if b["year"]]
    assert len(months) == 12 and years and any(b["text"] == "100" for b in boxes)
    for b in boxes:  # inside the chart's border, with room
        assert min(b["left"], b["right"], b["top"], b["bottom"]) >= 3, b
    for year in years:  # a line under its month (1.1 em at least: the glyphs apart), not across it
        month = next(m for m in months if m["x0"] < year["x1"] and year["x0"] < m["x1"])
        assert year["y0"] - month["y0"] >= 1.1 * month["size"], (month, year)
    for a, b in zip(months, months[1:]):
        assert b["x0"] - a["x1"] >= 2, (a, b)
