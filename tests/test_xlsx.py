"""Every CSV export also as an Excel file (app/xlsxexport.py): typed cells (numbers as
numbers, dates as dates, the coverage matrix's status and dates in columns of their own),
a frozen header row, column widths, a Chinese sheet name, formula-like text kept as text.
Read back with openpyxl; the demo data fills them."""
import csv
import io
from datetime import date, datetime

import pytest
from flask import url_for
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from tests.conftest import Client


@pytest.fixture
def app(demo_app):
    return demo_app


def exports(app) -> dict[str, str]:
    """endpoint stem -> URL without suffix, for every .csv/.xlsx rule of the URL map."""
    from app.checklists.models import ChecklistField, ChecklistItem

    with app.app_context():
        position = db.session.scalar(select(ChecklistItem.position_id).join(ChecklistField).order_by(ChecklistItem.id))
        rules = {r.rule: r for r in app.url_map.iter_rules()}
        csv_rules = sorted(r for r in rules if r.endswith(".csv"))
        xlsx_rules = sorted(r for r in rules if r.endswith(".xlsx"))
        assert [r[:-4] for r in csv_rules] == [r[:-5] for r in xlsx_rules], "every CSV export has its .xlsx"
        with app.test_request_context():
            from app.equipment.models import Count

            ids = {"position_id": position, "count_id": db.session.scalar(select(Count.id).filter_by(status="closed"))}
            return {rules[r].endpoint: url_for(rules[r].endpoint, **{a: ids[a] for a in rules[r].arguments})[:-4]
                    for r in csv_rules}


def workbook(client, url):
    r = client.get(url)
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet"), url
    assert ".xlsx" in r.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(r.data))


def csv_rows(client, url):
    return list(csv.reader(io.StringIO(client.get(url).get_data(as_text=True).lstrip("\ufeff"))))


def column(ws, title):
    header = [c.value for c in ws[1]]
    i = header.index(title)
    return [row[i] for row in ws.iter_rows(min_row=2, values_only=True)]


def test_every_export_has_an_excel_twin_typed_frozen_and_sized(app):
    from app.supplies.models import StockEntry, SupplyItem

    with app.app_context():  # formula-like text in a name, as a user may type it
        item = db.session.get(SupplyItem, db.session.scalar(select(StockEntry.item_id).order_by(StockEntry.id.desc())))
        item.name = '=HYPERLINK("http://evil","点我")'
        db.session.commit()
    client = Client(app.test_client())
    client.login("admin")
    # the inspections' actions list is empty on a fresh install: test_inspections.py checks it
    urls = {k: v for k, v in exports(app).items() if not k.startswith("inspections.")}
    assert len(urls) == 4
    sheets = {}
    for endpoint, stem in urls.items():
        wb = workbook(client, stem + ".xlsx")
        ws = wb.active
        sheets[endpoint] = ws
        assert any("\u4e00" <= ch <= "\u9fff" for ch in ws.title), ws.title   # a Chinese sheet name
        assert ws.freeze_panes == "A2"                                        # the header row stays
        assert all(ws.column_dimensions[chr(65 + i)].width >= 6 for i in range(min(ws.max_column, 20)))
        rows = csv_rows(client, stem + ".csv")
        assert [c.value for c in ws[1]] == rows[0]        # the same columns as the CSV
        assert ws.max_row == len(rows) and ws.max_row > 1, endpoint

    ledger = sheets["supplies.ledger_csv"]
    assert all(isinstance(v, datetime) for v in column(ledger, "时间"))
    assert all(isinstance(v, (int, float)) for v in column(ledger, "数量变化"))
    assert all(isinstance(v, int) for v in column(ledger, "编号"))
    names = column(ledger, "物品")
    formula = '=HYPERLINK("http://evil","点我")'
    assert formula in names                              # stored as the text typed, no apostrophe
    cell = next(c for c in ledger["E"] if c.value == formula)
    assert cell.data_type == "s"                         # text, never a formula Excel would run

    matrix = sheets["coverage.matrix_csv"]
    header = [c.value for c in matrix[1]]
    done = [h for h in header if h.endswith("·完成日期")]
    assert done and all(h.removesuffix("·完成日期") in header for h in done)
    dates = [v for h in done for v in column(matrix, h) if v is not None]
    expiry = [v for h in header if h.endswith("·有效期至") for v in column(matrix, h) if v is not None]
    assert dates and all(isinstance(v, (date, datetime)) for v in dates + expiry)
    statuses = {v for h in done for v in column(matrix, h.removesuffix("·完成日期"))}
    assert "已完成" in statuses and not any(v and any(ch.isdigit() for ch in v) for v in statuses)

    count = sheets["equipment.count_export_csv"]
    assert all(isinstance(v, int) for v in column(count, "应有件数") if v is not None)
    assert all(isinstance(v, datetime) for v in column(count, "记录时间"))

    month = sheets["checklists.position_month_csv"]
    assert all(isinstance(v, datetime) for v in column(month, "截止"))
    assert all(isinstance(v, str) for v in column(month, "周期"))   # "11月1日" stays text, no guessed year
    header = [c.value for c in month[1]]
    figures = [v for h in header[8:] for v in column(month, h) if v not in (None, "")]
    assert any(isinstance(v, (int, float)) for v in figures)


def test_excel_links_beside_the_csv_links(app):
    client = Client(app.test_client())
    client.login("admin")
    assert "/supplies/ledger.xlsx" in client.get("/supplies/").get_data(as_text=True)
    assert "/coverage/matrix.xlsx" in client.get("/coverage/").get_data(as_text=True)
