"""Benchmark: every PDF with every text field at its maximum length.

    .venv/bin/python bench/maxlen_pdfs.py

Builds a fresh demo instance in a temporary folder, then fills every text that reaches a
print-out to the most its form or column allows (所属部门 and 岗位名称 60 characters, every
duty 1,000, training topic 120 and report 5,000 + 5,000, attendee names 40/60 and feedback
200, item names and specs 60, notes and reasons 200, checklist titles and notes 200), and
times each PDF once with the PDF cache off. Reports each time and the worst; the goal is a
few seconds at most (the issue found 13.7 s for one unbounded 所属部门). Run by hand.
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

WIDE = "测试长文本" * 1000  # cut to each field's maximum below


def fill(app) -> None:
    from sqlalchemy import select

    from app.checklists.models import ChecklistItem, ChecklistMark
    from app.extensions import db
    from app.handbook.forms import MAX_DUTY
    from app.handbook.models import Duty
    from app.org.models import Position
    from app.staff.models import Employee
    from app.supplies.models import IssueSlip, StockEntry, SupplyItem
    from app.trainings.models import Attendee, Training

    with app.app_context():
        for i, p in enumerate(db.session.scalars(select(Position))):
            p.department = WIDE[:60]
            p.title = (f"{i:02d}" + WIDE)[:60]
        for d in db.session.scalars(select(Duty)):
            d.text = WIDE[:MAX_DUTY]
        for e in db.session.scalars(select(Employee)):
            e.name = (e.employee_no + WIDE)[:40]
        for t in db.session.scalars(select(Training)):
            t.topic, t.place, t.organiser = WIDE[:120], WIDE[:80], WIDE[:60]
            t.content, t.outcome = WIDE[:5000], WIDE[:5000]
        for a in db.session.scalars(select(Attendee)):
            a.name, a.position_title, a.feedback = WIDE[:40], WIDE[:60], WIDE[:200]
        for i, it in enumerate(db.session.scalars(select(SupplyItem))):
            it.name, it.spec = (f"{i:02d}" + WIDE)[:60], WIDE[:60]
        for s in db.session.scalars(select(IssueSlip)):
            s.note = WIDE[:200]
        for r in db.session.scalars(select(StockEntry)):
            r.reason, r.supplier = WIDE[:200], WIDE[:80]
        for it in db.session.scalars(select(ChecklistItem)):
            it.title = WIDE[:200]
        for m in db.session.scalars(select(ChecklistMark)):
            m.note = WIDE[:200]
        db.session.commit()


def main() -> None:
    instance = tempfile.mkdtemp(prefix="bench-maxlen-")
    os.environ["INSTANCE_PATH"] = instance
    from sqlalchemy import select

    from app import create_app
    from app.auth.models import User
    from app.cli import run_init
    from app.demo import seed_demo
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/app.db", "PDF_CACHE_MB": 0,
                      "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    with app.app_context():
        run_init()
        seed_demo()
        admin = User(username="bench-maxlen", is_admin=True)
        admin.set_password("bench-password-2026")
        db.session.add(admin)
        db.session.commit()
    fill(app)
    sys.path.insert(0, os.path.dirname(__file__))
    from pagelist import exports

    from app.handbook.models import Duty
    from app.parts import busiest
    from app.trainings.models import Attendee

    with app.app_context():
        t = {"duties": busiest(Duty.position_id), "training": busiest(Attendee.training_id)}
        pdfs = [(name, url) for name, url in exports() if url.split("?")[0].endswith(".pdf")]
        pdfs.append(("confirmations.pdf", f"/handbook/positions/{t['duties']}/confirmations?format=pdf"))
        pdfs.append(("signin.pdf", f"/trainings/{t['training']}/signin.pdf"))
        assert db.session.scalar(select(User.id).filter_by(username="bench-maxlen"))
    client = app.test_client()
    client.post("/auth/login", data={"username": "bench-maxlen", "password": "bench-password-2026"})
    worst = (0.0, "")
    for name, url in pdfs:
        start = time.perf_counter()
        r = client.get(url)
        took = time.perf_counter() - start
        status = "ok" if r.status_code == 200 and r.data[:5] == b"%PDF-" else f"HTTP {r.status_code}"
        print(f"{name:<22} {took * 1000:8.0f} ms  {len(r.data) / 1024:7.0f} KB  {status}")
        worst = max(worst, (took, name))
    print(f"worst: {worst[1]} {worst[0]:.2f} s")


if __name__ == "__main__":
    main()
