"""The shipped handbook equals the department's document, duty for duty."""
import re
from pathlib import Path

import yaml
from sqlalchemy import func, select

from app.extensions import db
from app.handbook.models import Duty, GlossaryTerm, PositionRevision
from app.org.models import Position

SEED = Path(__file__).parent / "data" / "seed_excerpt.txt"  # copy of shared/seed/000_…txt
FIXES = [("KPl", "KPI"), ("TAeT", "TACT"), ("100O", "1000"), ("(I)", "(1)")]


def seed_body() -> str:
    """The excerpt's text with page markers ("2、" at a line start) removed, i.e. mended
    across page breaks, and the certain slips fixed."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    body = []
    for line in lines[2:]:
        if line.startswith("- 配套讲稿"):
            break
        body.append(re.sub(r"^\d、", "", line))
    text = "".join(body)
    for wrong, right in FIXES:
        text = text.replace(wrong, right)
    return text


def seed_duties() -> list[str]:
    """Every numbered duty and sub-item of the excerpt, in order."""
    duties = []
    for section in seed_body().split("岗位职责描述:")[1:]:
        section = section.split("直属上级")[0]
        for part in re.split(r"\d+ ?\.|\(\d\)", section):
            if part.strip():
                duties.append(part.strip())
    return duties


def test_every_seed_duty_is_in_a_fresh_install(app):
    expected = seed_duties()
    assert len(expected) == 7 + 15 + (8 + 5) + 14
    with app.app_context():
        stored = list(db.session.scalars(select(Duty.text).where(Duty.active.is_(True))))
    assert sorted(stored) == sorted(expected)


def test_sub_items_and_truncation_kept(app):
    with app.app_context():
        clerk = db.session.scalar(select(Position).filter_by(seed_key="workshop_clerk"))
        first = db.session.scalar(select(Duty).filter_by(position_id=clerk.id, parent_id=None, sort_order=1))
        assert first.text == "负责工单的收集、统计、整理和存档:"
        assert [c.text.split(":")[0] for c in first.items] == ["超越系统", "TACT系统", "预约", "夕会", "每天收集车间技师追加单,并对其追加情况进行统计分类,制成电子表格,在每天下班之前交至领导确认,交由财务部核对。"]
        assert len(first.items) == 5
        cs = db.session.scalar(select(Position).filter_by(seed_key="customer_service"))
        last = db.session.scalar(select(Duty).filter_by(position_id=cs.id, sort_order=14))
        assert last.text == "服从上" and last.truncated


def test_data_file_marks_inferred_titles_and_fixes():
    data = yaml.safe_load((Path(__file__).parent.parent / "app/handbook/data/handbook.yaml").read_text())
    by_key = {p["key"]: p for p in data["positions"]}
    for key in ("after_sales_manager", "after_sales_clerk", "workshop_clerk", "customer_service"):
        assert by_key[key]["title_inferred"] is True
    text = (Path(__file__).parent.parent / "app/handbook/data/handbook.yaml").read_text()
    for wrong, _ in FIXES:
        assert f"- {wrong}" not in text.split("fixes")[0]
    assert "KPl" not in "".join(seed_duties())


def test_each_seed_position_with_duties_has_revision_1_and_glossary(app):
    with app.app_context():
        for p in db.session.scalars(select(Position)):
            numbers = list(db.session.scalars(select(PositionRevision.number).filter_by(position_id=p.id)))
            # a position the document gives no duties waits for its first revision
            # (written by admin or adopted from the reference draft)
            assert numbers == ([1] if p.all_duties else []), p.title
        assert db.session.scalar(select(func.count(GlossaryTerm.id))) >= 20
        terms = set(db.session.scalars(select(GlossaryTerm.term)))
        for t in ("TACT", "SMB看板", "E-CRB", "CRPM", "PDS", "SA", "KPI", "5S", "5K/10K回厂率", "夕会", "晨会",
                  "神秘客户", "协力会", "养护学堂", "超越系统", "追加单"):
            assert t in terms


def test_loading_again_never_overwrites_edits(app, runner):
    with app.app_context():
        duty = db.session.scalar(select(Duty).where(Duty.text.like("负责SMB看板管理%")))
        duty.text = "负责SMB看板管理（已修改）"
        term = db.session.scalar(select(GlossaryTerm).filter_by(term="夕会"))
        term.explanation = "本店自定义解释"
        db.session.commit()
        duty_count = db.session.scalar(select(func.count(Duty.id)))
        duty_id = duty.id
    assert runner.invoke(args=["init"]).exit_code == 0
    with app.app_context():
        assert db.session.get(Duty, duty_id).text == "负责SMB看板管理（已修改）"
        assert db.session.scalar(select(GlossaryTerm.explanation).filter_by(term="夕会")) == "本店自定义解释"
        assert db.session.scalar(select(func.count(Duty.id))) == duty_count
