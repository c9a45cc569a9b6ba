"""培训档案: sessions with report, sign-in sheet, photos and materials, printed as records."""
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.parts import NavEntry, Part, WorkspaceBlock, add, busiest
from app.trainings import demo, desk, records, routes, templating
from app.trainings.models import Attendee, Training, TrainingFile

AUDIT_LABELS = {
    "training_create": "新建培训",
    "training_update": "修改培训",
    "training_attendees": "培训人员",
    "training_signin": "培训签到",
    "training_assess": "培训考核",
    "training_upload": "上传培训文件",
    "training_file_caption": "修改照片说明",
    "training_file_delete": "删除培训文件",
    "training_file_restore": "恢复培训文件",
    "training_category": "培训类别",
}


def stored_files() -> dict[str, set[str]]:
    """Photos, sign-in sheets and materials (deleted ones too: they can be restored)."""
    return {records.SUB: set(db.session.scalars(select(TrainingFile.key)))}


def bench_pages() -> list[tuple[str, str]]:
    return [("trainings", "/trainings/"), ("training", f"/trainings/{busiest(Attendee.training_id)}")]


def bench_exports() -> list[tuple[str, str]]:
    year = db.session.scalar(select(func.max(Training.held_on))).year
    return [("training record.pdf", f"/trainings/{busiest(Attendee.training_id)}/record.pdf"),
            ("training ledger.pdf", f"/trainings/ledger.pdf?year={year}")]


def register(app: Flask) -> None:
    add(app, Part(
        "trainings", blueprint=routes.bp, audit_labels=AUDIT_LABELS, demo=demo.demo, demo_order=40,
        uploads=stored_files, bench_pages=bench_pages, bench_exports=bench_exports,
        object_labels={"training": "培训", "training_category": "培训类别"},
        nav=(NavEntry("培训档案", "trainings.index", order=40, tile="培训记录、签到与照片"),),
        workspace=(
            WorkspaceBlock("trainings.missing", "trainings/_ws_missing.html", desk.missing_records, 30),
            WorkspaceBlock("trainings.mine", "trainings/_ws_mine.html", desk.my_trainings, 70),
        ),
        notice_kinds={"training": "培训"},
        template_globals=templating.TEMPLATE_GLOBALS,
        position_panels=("trainings/_position_panel.html",),
        employee_panels=("trainings/_employee_panel.html",),
        on_leave=records.leaver_off_planned,
    ))
