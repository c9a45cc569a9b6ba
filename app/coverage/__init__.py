"""Training coverage (培训覆盖): requirements per position, certificates, the coverage
matrix, what expires, and new-hire onboarding (入职)."""
from flask import Flask
from sqlalchemy import select

from app.coverage import demo, desk, notices, routes
from app.coverage.changes import SUB
from app.coverage.models import Certificate
from app.extensions import db
from app.parts import NoticeRule, Part, WorkspaceBlock, add

AUDIT_LABELS = {
    "requirement_create": "新增培训要求",
    "requirement_update": "修改培训要求",
    "onboarding_step_create": "新增入职步骤",
    "onboarding_step_update": "修改入职步骤",
    "certificate_create": "新增证书",
    "onboarding_update": "入职计划",
    "onboarding_step_done": "入职步骤完成",
    "onboarding_signoff": "上岗确认",
    "onboarding_signoff_withdraw": "撤销上岗确认",
}


def stored_files() -> dict[str, set[str]]:
    """Certificate scans."""
    return {SUB: set(db.session.scalars(select(Certificate.scan_key).where(Certificate.scan_key.is_not(None))))}


def bench_pages() -> list[tuple[str, str]]:
    return [("matrix", "/coverage/")]


def bench_exports() -> list[tuple[str, str]]:
    return [("matrix.pdf", "/coverage/matrix.pdf"), ("matrix.csv", "/coverage/matrix.csv"),
            ("matrix.xlsx", "/coverage/matrix.xlsx")]


def register(app: Flask) -> None:
    add(app, Part(
        "coverage", blueprint=routes.bp, audit_labels=AUDIT_LABELS, demo=demo.demo, demo_order=50,
        uploads=stored_files, bench_pages=bench_pages, bench_exports=bench_exports,
        workspace=(
            WorkspaceBlock("coverage.expiring", "coverage/_ws_expiring.html", desk.expiring_coverage, 35),
            WorkspaceBlock("coverage.onboarding", "coverage/_ws_onboarding.html", desk.my_onboarding, 50),
            WorkspaceBlock("coverage.to_sign_off", "coverage/_ws_to_sign_off.html", desk.new_hires_to_sign_off, 33,
                           card="todo"),
            WorkspaceBlock("coverage.mine", "coverage/_ws_mine.html", desk.my_coverage, 52),
        ),
        notices=(NoticeRule("coverage", "培训与证书到期", notices.coverage_due),),
        notice_kinds={"coverage": "培训到期"},
        employee_panels=("coverage/_employee_panel.html",),
    ))
