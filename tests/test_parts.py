"""Each part registers itself (app/parts.py): a throwaway part added through its register()
alone shows in the navigation, the audit log, the workspace, the notices run and the
demo; and the shipped parts keep one place for each of their pieces."""
from datetime import datetime

import pytest
from flask import Blueprint, redirect
from flask_login import login_required

from app.audit.log import record
from app.extensions import db
from app.parts import Job
from app.parts import NavEntry, NoticeRule, Part, WorkspaceBlock, add, parts


def throwaway_register(tmp_path):
    """A whole part: a page, a change with its audit record, a nav entry, a workspace
    block, a notice rule and demo data; nothing outside this function names it."""
    (tmp_path / "tyre").mkdir()
    (tmp_path / "tyre" / "index.html").write_text(
        '{% extends "base.html" %}{% block title %}轮胎存放{% endblock %}'
        "{% block content %}<h1>轮胎存放登记</h1>{% endblock %}", encoding="utf-8")
    (tmp_path / "tyre" / "_ws.html").write_text(
        '<section class="card ws-card"><h2>待取轮胎</h2><p>{{ block }} 套轮胎待客户取回</p></section>',
        encoding="utf-8")
    bp = Blueprint("tyre", __name__, url_prefix="/tyre", template_folder=str(tmp_path))
    ran = []

    @bp.get("/")
    @login_required
    def index():
        from app.web import render

        return render("tyre/index.html")

    @bp.post("/store")
    @login_required
    def store():
        record("tyre_store", "tyre_set", 1, summary="存放 4 条轮胎")
        db.session.commit()
        return redirect("/tyre/", code=303)

    def register(app):
        add(app, Part(
            "tyre", blueprint=bp,
            audit_labels={"tyre_store": "存放轮胎"}, object_labels={"tyre_set": "轮胎"},
            nav=(NavEntry("轮胎存放", "tyre.index", order=65, tile="客户轮胎寄存"),),
            workspace=(WorkspaceBlock("tyre.waiting", "tyre/_ws.html", lambda desk: 3),),
            notices=(NoticeRule("tyre", "轮胎待取", lambda now: ran.append(now) or 2),),
            jobs=(Job("tyre-check", __import__("datetime").timedelta(days=1), lambda: "ok"),),
            demo=lambda fresh: ["轮胎：演示 3 套"], demo_order=99,
        ))

    return register, ran


def test_a_part_added_through_register_alone_shows_everywhere(app, client, make_user, tmp_path):
    register, ran = throwaway_register(tmp_path)
    register(app)  # before the app's first request, as the factory does
    make_user("root", admin=True)
    admin_client = client
    assert admin_client.login("root").status_code == 302

    home = admin_client.get("/").get_data(as_text=True)
    assert '<a href="/tyre/" class="">轮胎存放</a>' in home  # in the navigation
    assert "3 套轮胎待客户取回" in home  # its block on the workspace
    assert "客户轮胎寄存" in home  # its tile
    page = admin_client.get("/tyre/").get_data(as_text=True)
    assert "轮胎存放登记" in page and 'href="/tyre/" class="active"' in page

    assert admin_client.post_form("/tyre/store").status_code == 303
    audit = admin_client.get("/admin/audit/").get_data(as_text=True)
    assert "存放轮胎" in audit and "存放 4 条轮胎" in audit  # its action's label in the log and the filter
    assert "轮胎" in admin_client.get("/admin/audit/?object_type=tyre_set").get_data(as_text=True)

    with app.app_context():
        from app.demo import seed_demo
        from app.notices.rules import send_due, send_due_job
        from app.parts import jobs

        assert send_due(datetime(2026, 12, 7, 9, 0))["tyre"] == 2 and ran
        assert "轮胎待取 2 条" in send_due_job()
        assert any(j.name == "tyre-check" for j in jobs())
        assert seed_demo()[-1] == "轮胎：演示 3 套"  # the demo runs its step last (demo_order 99)
        db.session.rollback()


def test_a_part_registered_twice_is_refused(app):
    with pytest.raises(ValueError):
        add(app, Part("checklists"))


def test_every_recorded_action_has_a_label(app):
    """An action code written by record() anywhere in the app is named by its part, so the
    audit browser never shows a bare code."""
    import re
    from pathlib import Path

    from app.parts import audit_labels

    root = Path(__file__).resolve().parent.parent / "app"
    codes = set()
    for path in root.rglob("*.py"):
        codes |= set(re.findall(r"""\brecord(?:_changes)?\(\s*["']([a-z_]+)["']""", path.read_text(encoding="utf-8")))
    with app.app_context():
        missing = codes - set(audit_labels())
    assert codes and not missing, sorted(missing)


def test_the_application_factory_reads_as_a_list_of_parts(app):
    from app import PARTS

    with app.app_context():
        names = [p.name for p in parts()]
    assert len(names) == len(PARTS) and {"handbook", "checklists", "trainings", "supplies", "equipment"} <= set(names)

