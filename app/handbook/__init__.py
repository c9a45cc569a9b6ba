"""岗位职责手册: positions' duties, read confirmations, glossary, search, revisions, PDF."""
from flask import Flask

from app.handbook import demo, desk, org_routes, routes
from app.handbook.glossary import mark_terms
from app.handbook.models import Duty
from app.handbook.provenance import LINE_NOTE, duty_notes, footnotes, from_draft, title_note
from app.parts import NavEntry, Part, WorkspaceBlock, add, busiest
from app.staff.models import Employee

AUDIT_LABELS = {
    "seed_load": "载入手册数据",
    "read_confirm": "确认阅读",
    "position_revision": "修订岗位职责",
    "position_draft_adopted": "采用参考草稿",
    "glossary_create": "新增术语",
    "glossary_update": "修改术语",
}

ORG_AUDIT_LABELS = {  # the org chart's pages (org_routes.py)
    "position_create": "新增岗位",
    "position_update": "修改岗位",
    "line_add": "新增汇报关系",
    "line_remove": "删除汇报关系",
}


def bench_pages() -> list[tuple[str, str]]:
    duties = busiest(Duty.position_id)
    holders = busiest(Employee.position_id, Employee.active.is_(True))
    return [("handbook", "/handbook/"), ("position", f"/handbook/positions/{duties}"),
            ("confirmations", f"/handbook/positions/{holders}/confirmations"), ("org chart", "/org/"),
            ("search", "/handbook/search?q=%E5%AE%A2%E6%88%B7")]  # 客户


def bench_exports() -> list[tuple[str, str]]:
    return [("handbook.pdf", "/handbook/handbook.pdf"),
            ("position.pdf", f"/handbook/positions/{busiest(Duty.position_id)}/print.pdf")]


def register(app: Flask) -> None:
    add(app, Part(
        "handbook", blueprint=routes.bp, more_blueprints=(org_routes.bp,), demo=demo.demo, demo_order=10,
        bench_pages=bench_pages, bench_exports=bench_exports,
        audit_labels=AUDIT_LABELS | ORG_AUDIT_LABELS,
        object_labels={"handbook": "岗位手册", "glossary": "术语", "position": "岗位"},
        nav=(NavEntry("岗位手册", "handbook.index", order=20, active=("handbook", "org"),
                      tile="岗位职责与汇报关系"),),
        workspace=(
            WorkspaceBlock("handbook.confirm", "handbook/_ws_banner.html", desk.confirmation_banner, 0, "banner"),
            WorkspaceBlock("handbook.unconfirmed", "handbook/_ws_unconfirmed.html", desk.unconfirmed_staff, 40, "todo"),
        ),
        notice_kinds={"revision": "岗位职责"},
        # What the app inferred or mended, marked wherever the handbook's text shows.
        template_globals={"duty_notes": duty_notes, "title_note": title_note, "line_note": LINE_NOTE,
                          "handbook_footnotes": footnotes, "from_draft": from_draft},
        template_filters={"terms": mark_terms},
    ))
