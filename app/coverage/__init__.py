"""Training coverage (培训覆盖): requirements per position, certificates, the coverage
matrix, what expires, and new-hire onboarding (入职)."""
from flask import Flask

from app.coverage import demo, desk, notices, routes
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
}


def register(app: Flask) -> None:
    add(app, Part(
        "coverage", demo=demo.demo, demo_order=50, blueprint=routes.bp, audit_labels=AUDIT_LABELS,
        workspace=(
            WorkspaceBlock("coverage.expiring", "coverage/_ws_expiring.html", desk.expiring_coverage, 35),
            WorkspaceBlock("coverage.onboarding", "coverage/_ws_onboarding.html", desk.my_onboarding, 50),
        ),
        notices=(NoticeRule("coverage", "培训与证书到期", notices.coverage_due),),
        notice_kinds={"coverage": "培训到期"},
        employee_panels=("coverage/_employee_panel.html",),
    ))
