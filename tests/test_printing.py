"""The print pipeline and the handbook PDFs, checked by text, fonts and pages."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.org.models import Position
from app.printing import AppFileFetcher, css_string
from tests.pdftools import assert_cjk_fonts_embedded, pages_text, pdftotext


def test_fetcher_serves_only_own_files(app, tmp_path):
    uploads = tmp_path / "up"
    uploads.mkdir()
    (uploads / "a.txt").write_text("x")
    f = AppFileFetcher(app.static_folder, str(uploads))
    assert f.fetch("http://print.invalid/static/css/print.css").read().startswith(b"/*")
    assert f.fetch("http://print.invalid/uploads/a.txt").read() == b"x"
    for url in (
        "http://example.com/static/css/print.css",
        "https://print.invalid/static/css/print.css",
        "http://print.invalid/static/../app/config.py",
        "http://print.invalid/static/%2e%2e/app/config.py",
        "file:///etc/passwd",
        "http://print.invalid/other/x",
    ):
        with pytest.raises(ValueError):
            f.fetch(url)
    assert f.fetch("data:text/plain,hi").read() == b"hi"


def test_css_string_escapes():
    assert css_string('a"b\\c</style>') == 'a\\22 b\\5c c\\3c /style\\3e '


def test_position_pdf_is_the_hr_form(app, client, make_user):
    make_user("tech", position="technician")
    client.login("tech")
    with app.app_context():
        clerk = db.session.scalar(select(Position).filter_by(seed_key="workshop_clerk"))
    r = client.get(f"/handbook/positions/{clerk.id}/print.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert "filename*=UTF-8''%E5%B2%97%E4%BD%8D" in r.headers["Content-Disposition"]
    text = pdftotext(r.data)
    flat = text.replace("\n", "")
    for label in ("岗位职责说明书", "岗位名称", "所属部门", "直属上级", "直属下级", "版本", "日期", "任职者签字", "直属上级签字"):
        assert label in text, label
    assert "车间文员" in text and "车间主任" in text and "第 1 版" in text
    assert "负责SMB看板管理,保证SMB看板的使用与车间达成一致并协助派工。" in flat
    assert "(2) TACT系统:按厂家要求统计TACT工单" in flat
    assert "第1页/共1页" in text.replace(" ", "")
    assert "汽车销售服务有限公司" in text  # header in the page margin box
    assert_cjk_fonts_embedded(r.data)


def test_whole_handbook_pdf(app, client, make_user):
    make_user("tech", position="technician")
    client.login("tech")
    r = client.get("/handbook/handbook.pdf")
    assert r.status_code == 200
    pages = pages_text(r.data)
    with app.app_context():
        positions = db.session.scalars(select(Position).filter_by(is_external=False).order_by(Position.sort_order))
        written = {p.title: bool(p.all_duties) for p in positions}
        titles = list(written)
    with_duties = [t for t in titles if written[t]]
    without = [t for t in titles if not written[t]]
    # cover, contents, one page per position with duties, one page for all the others
    assert len(pages) == 2 + len(with_duties) + (1 if without else 0)
    assert "岗位职责手册" in pages[0] and app.config["COMPANY_NAME"] in pages[0]
    assert "第1页" not in pages[0].replace(" ", "")  # the cover has no page number
    toc = pages[1].replace(" ", "")
    page_of = {t: n for n, t in enumerate(with_duties, start=3)}
    for title in without:
        page_of[title] = len(pages)
    for title in titles:
        # a position the document gives no duties has no revision yet, and says so
        assert f"{title}（{'第1版' if written[title] else '尚无职责描述'}）" in toc
        assert f"{page_of[title]}\n" in pages[1] + "\n"
    for title in with_duties:  # each on its own page, numbered
        n = page_of[title]
        assert title in pages[n - 1] and f"第{n}页/共{len(pages)}页" in pages[n - 1].replace(" ", "")
    if without:
        last = pages[-1]
        assert "尚无职责描述的岗位" in last and all(t in last for t in without)
    assert "打印日期" in pages[-1]
    # the contents in the order printed: numbered 1, 2, … with their pages never going back
    lines = [re.match(r"(\d+)\.\s*(\S+)（(?:第\s*\d+\s*版|尚无职责描述)）.*?(\d+)$", line.strip())
             for line in pages[1].splitlines()]  # a title may have its own brackets: 服务顾问（SA）
    entries = [(int(m[1]), m[2], int(m[3])) for m in lines if m]
    assert [n for n, _, _ in entries] == list(range(1, len(titles) + 1))
    assert [t for _, t, _ in entries] == with_duties + without
    assert [p for _, _, p in entries] == sorted(p for _, _, p in entries)
    assert_cjk_fonts_embedded(r.data)


def test_the_handbook_pdf_is_named_by_the_local_date(client, make_user, monkeypatch):
    """At 04:56 in Beijing (20:56 UTC the day before) the file is named by the day its pages say."""
    from datetime import datetime

    from app import clock

    monkeypatch.setattr(clock, "now_utc", lambda: datetime(2030, 3, 1, 20, 56))
    make_user("tech", position="technician")
    client.login("tech")
    r = client.get("/handbook/handbook.pdf")
    assert r.status_code == 200
    assert "20300302" in r.headers["Content-Disposition"] and "20300301" not in r.headers["Content-Disposition"]
    assert "打印日期2030-03-02" in pdftotext(r.data).replace(" ", "")


def test_pdf_refuses_outside_resources(app):
    """A template that references an outside URL still renders, without fetching it."""
    from app.printing import html_to_pdf

    with app.test_request_context():
        pdf = html_to_pdf('<html><body><img src="http://example.com/x.png"><p>中文</p></body></html>')
    assert "中文" in pdftotext(pdf)


def test_titles_and_signature_labels_never_break_inside(app, client, make_user):
    make_user("tech", position="technician")
    client.login("tech")
    with app.app_context():
        manager = db.session.scalar(select(Position).filter_by(seed_key="after_sales_manager"))
    text = pdftotext(client.get(f"/handbook/positions/{manager.id}/print.pdf").data)
    assert "总经理" in text and "董事长" in text  # not 总经/理 over two lines
    assert text.count("日期：") == 2  # the two signature dates, each label in one piece
    for line in text.splitlines():
        assert line.strip() not in ("期：", "日", "：", "签字："), line


def test_monthly_checklist_signatures_right_under_the_grid(app, admin_client):
    from app.checklists.models import ChecklistItem

    with app.app_context():
        position_id = db.session.scalar(select(ChecklistItem.position_id).filter_by(seed_key="clerk_return_rate"))
    from tests.pdftools import pages_text

    pages = pages_text(admin_client.get(f"/checklists/positions/{position_id}/month.pdf").data)
    first = pages[0]
    assert "点检人" in first and "确认人（主管）" in first
    if "勾选记录" in first:
        assert first.index("确认人（主管）") < first.index("勾选记录")
