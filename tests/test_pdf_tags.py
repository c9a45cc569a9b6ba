"""Every kind of PDF is tagged (its structure, for screen readers and reflow) and names
its title, author (the company) and creation date: pdfinfo said "Tagged: no" and neither
author nor date before. The kinds come from the URL map (every rule ending in .pdf) plus
the read-confirmation list (?format=pdf), filled with the demo's objects."""
import re

import pytest
from flask import url_for
from sqlalchemy import select

from app.extensions import db
from tests.conftest import Client
from tests.pdftools import pdfinfo
from tests.test_browser_phone import demo_ids

# what each kind's title starts with
TITLES = {
    "handbook.print_position": "岗位职责说明书 · ",
    "handbook.print_handbook": "岗位职责手册",
    "handbook.confirmations": "岗位职责阅读确认表 · ",
    "checklists.position_month_pdf": "岗位点检表 · ",
    "trainings.signin_pdf": "培训签到表 · ",
    "trainings.record_pdf": "培训记录 · ",
    "trainings.ledger_pdf": "培训台账 · ",
    "supplies.slip_pdf": "领用单 ",
    "supplies.ledger_pdf": "劳保用品发放登记表 · ",
    "supplies.count_sheet_pdf": "盘点表 · ",
    "coverage.matrix_pdf": "培训覆盖矩阵",
    "coverage.onboarding_pdf": "新员工入职培训记录 · ",
    "equipment.labels_pdf": "设备二维码标签",
    "equipment.label_pdf": "设备二维码标签 · ",
    "equipment.count_sheet_pdf": "设备盘点表 · ",
    "inspections.report_pdf": "检查报告 · ",
    "inspections.actions_pdf": "整改清单",
}


@pytest.fixture
def app(demo_app):
    return demo_app


def pdf_urls(app) -> dict[str, str]:
    from app.coverage.models import Onboarding

    with app.app_context():
        ids = demo_ids()
        ids["coverage.employee_id"] = db.session.scalar(select(Onboarding.employee_id))
        with app.test_request_context():
            urls = {}
            for rule in app.url_map.iter_rules():
                if rule.rule.endswith(".pdf"):
                    args = {name: ids.get(f"{rule.endpoint.split('.')[0]}.{name}", ids.get(name))
                            for name in rule.arguments}
                    urls[rule.endpoint] = url_for(rule.endpoint, **args)
            from app.supplies.models import SupplyCategory

            urls["supplies.ledger_pdf"] = url_for("supplies.ledger_pdf", category=db.session.scalar(
                select(SupplyCategory.id).order_by(SupplyCategory.id)))
            urls["handbook.confirmations"] = url_for("handbook.confirmations", position_id=ids["position_id"],
                                                     format="pdf")
    return urls


def test_every_pdf_kind_is_tagged_with_title_author_and_date(app):
    client = Client(app.test_client())
    client.login("admin")
    urls = pdf_urls(app)
    assert set(urls) == set(TITLES), "a new kind of PDF: add its title here"
    for endpoint, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf", url
        info = pdfinfo(response.data)
        assert info.get("Tagged") == "yes", url
        assert info.get("Title", "").startswith(TITLES[endpoint]) and len(info["Title"]) > 2, (url, info.get("Title"))
        assert info.get("Author") == app.config["COMPANY_NAME"], url
        assert re.search(r"\d{4}", info.get("CreationDate", "")), url
