import io
import os
import zipfile
from datetime import date, datetime, time, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app import clock
from app.auth.models import User
from app.extensions import db
from app.staff.models import Employee
from app.org.models import Position
from app.trainings.models import Attendee, Training, TrainingCategory, TrainingFile
from tests import imagegen
from tests.conftest import Client
from tests.pdftools import assert_cjk_fonts_embedded, pdfimages_count, pdftotext


@pytest.fixture
def clerk(app, make_user):
    make_user("clerk", position="workshop_clerk", can_record_trainings=True)
    for n in range(3):
        make_user(f"tech{n}", position="technician", employee_no=f"T{n}")
    make_user("boss", admin=True)
    return "clerk"


@pytest.fixture
def training_id(app, clerk):
    with app.app_context():
        from app.auth.models import User

        user = db.session.scalar(select(User).filter_by(username="clerk"))
        cat = db.session.scalar(select(TrainingCategory).filter_by(name="技术"))
        t = Training(topic="制动系统检修培训", category_id=cat.id, held_on=date(2026, 11, 20), start_time=time(14),
                     end_time=time(16, 30), place="车间培训室", trainer_name="厂家讲师 王工", organiser="陈晓燕",
                     created_by_id=user.id, content="制动系统结构与检修要点")
        db.session.add(t)
        db.session.commit()
        return t.id


def files_on_disk(app) -> int:
    folder = os.path.join(app.config["UPLOAD_FOLDER"], "trainings")
    return len(os.listdir(folder)) if os.path.isdir(folder) else 0


def add_technicians(app, client, training_id) -> list[int]:
    """Log in as the clerk, add the whole 技师 position; returns the attendee ids."""
    client.login("clerk")
    with app.app_context():
        tech = db.session.scalar(select(Position.id).filter_by(seed_key="technician"))
    client.post_form(f"/trainings/{training_id}/attendees", {"position_id": tech})
    with app.app_context():
        return [a.id for a in db.session.get(Training, training_id).attendees]


def upload(client, tid, kind, files):
    data = {"kind": kind, "files": [(io.BytesIO(b), name) for name, b in files]}
    return client.post_form(f"/trainings/{tid}/files", data, content_type="multipart/form-data",
                            headers={"HX-Request": "true"})


def test_trainer_picker_lists_staff_escaped_keeps_the_choice_and_refuses_others(app, client, clerk, make_user):
    """The trainer picker (a PeopleSelectField, its options joined by safe_html): every
    active employee, names escaped, the stored trainer selected on edit, a value that is
    not offered refused with the form kept."""
    make_user("<b>韩</b>", position="technician", employee_no="T9")
    client.login("clerk")
    page = client.get("/trainings/new").get_data(as_text=True)
    picker = page[page.index('<select id="trainer_employee_id" name="trainer_employee_id">'):]
    picker = picker[:picker.index("</select>")]
    assert '<option value="0">（外部讲师）</option>' in picker and "selected" not in picker  # the first shows
    assert "&lt;b&gt;韩&lt;/b&gt;（技师）" in picker and "<b>" not in picker
    with app.app_context():
        cat = db.session.scalar(select(TrainingCategory.id).filter_by(name="技术"))
        tech = db.session.scalar(select(Employee.id).filter_by(employee_no="T1"))
    form = {"topic": "空调系统", "category_id": cat, "held_on": "2026-11-27", "start_time": "09:00",
            "end_time": "10:00", "status": "planned"}
    refused = client.post_form("/trainings/new", dict(form, trainer_employee_id=99999))
    assert refused.status_code == 422 and 'value="空调系统"' in refused.get_data(as_text=True)
    assert client.post_form("/trainings/new", dict(form, trainer_employee_id=tech)).status_code == 303
    with app.app_context():
        t = db.session.scalar(select(Training).filter_by(topic="空调系统"))
        assert db.session.scalar(select(func.count(Training.id)).filter_by(topic="空调系统")) == 1
        tid = t.id
    edit = client.get(f"/trainings/{tid}/edit").get_data(as_text=True)
    picker = edit[edit.index('name="trainer_employee_id">'):]
    picker = picker[:picker.index("</select>")]
    assert f'<option value="{tech}" selected>tech1（技师）</option>' in picker and picker.count("selected") == 1


def test_create_training_and_validation(app, client, clerk):
    client.login("clerk")
    with app.app_context():
        cat = db.session.scalar(select(TrainingCategory.id).filter_by(name="服务流程"))
    bad = client.post_form("/trainings/new", {"topic": "接待流程", "category_id": cat, "held_on": "2026-11-27",
                                              "start_time": "10:00", "end_time": "09:00", "trainer_employee_id": 0,
                                              "status": "planned"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "结束时间应晚于开始时间" in text and "请选择讲师" in text
    ok = client.post_form("/trainings/new", {"topic": "接待流程", "category_id": cat, "held_on": "2026-11-27",
                                             "start_time": "09:00", "end_time": "10:30", "trainer_employee_id": 0,
                                             "trainer_name": "刘主管", "place": "会议室", "status": "planned"})
    assert ok.status_code == 303
    with app.app_context():
        t = db.session.scalar(select(Training).filter_by(topic="接待流程"))
        assert t.hours == 1.5 and t.trainer == "刘主管"


def test_attendees_position_one_by_one_and_outside(app, client, clerk, training_id):
    client.login("clerk")
    with app.app_context():
        tech = db.session.scalar(select(Position.id).filter_by(seed_key="technician"))
        clerk_emp = db.session.scalar(select(Position).filter_by(seed_key="workshop_clerk")).employees[0].id
    client.post_form(f"/trainings/{training_id}/attendees", {"position_id": tech})
    again = client.post_form(f"/trainings/{training_id}/attendees", {"position_id": tech}, follow_redirects=True)
    assert "技师 3 人均已在名单中" in again.get_data(as_text=True)  # again: no duplicates, and said so
    client.post_form(f"/trainings/{training_id}/attendees", {"employee_id": clerk_emp})
    client.post_form(f"/trainings/{training_id}/attendees", {"name": "钱师傅", "organisation": "钣喷厂"})
    r = client.post_form(f"/trainings/{training_id}/attendees", {"name": "  "}, follow_redirects=True)
    assert "请填写姓名" in r.get_data(as_text=True)
    with app.app_context():
        names = [a.name for a in db.session.get(Training, training_id).attendees]
    assert names == ["tech0", "tech1", "tech2", "clerk", "钱师傅"]


def test_sign_in_states_one_tap_with_totals(app, client, clerk, training_id):
    ids = add_technicians(app, client, training_id)
    token = client.csrf()
    for aid, status in zip(ids, ("signed", "leave", "absent")):
        r = client.post(f"/trainings/{training_id}/attendees/{aid}/status", data={"csrf_token": token, "status": status},
                        headers={"HX-Request": "true"})
        html = r.get_data(as_text=True)
        assert r.status_code == 200 and html.lstrip().startswith(f'<tr id="att-{aid}"')
        assert 'id="att-totals" hx-swap-oob="true"' in html
    assert "已签到 <strong>1</strong> · 请假 1 · 缺席 1" in html
    bad = client.post(f"/trainings/{training_id}/attendees/{ids[0]}/status", data={"csrf_token": token, "status": "x"},
                      headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "无效的签到状态" in bad.get_data(as_text=True)
    with app.app_context():
        a = db.session.get(Attendee, ids[0])
        assert a.status == "signed" and a.signed_at is not None
        assert db.session.get(Attendee, ids[1]).signed_at is None
    # a signed attendee cannot be removed, a pending one can
    r = client.post_form(f"/trainings/{training_id}/attendees/{ids[0]}/remove", follow_redirects=True)
    assert "不能移除" in r.get_data(as_text=True)


def test_assessment_and_pass_rate(app, client, clerk, training_id):
    ids = add_technicians(app, client, training_id)
    token = client.csrf()
    for aid, score in zip(ids, ("85", "不合格", "合格")):
        client.post(f"/trainings/{training_id}/attendees/{aid}/assess", data={"csrf_token": token, "score": score, "feedback": "好"},
                    headers={"HX-Request": "true"})
    bad = client.post(f"/trainings/{training_id}/attendees/{ids[0]}/assess", data={"csrf_token": token, "score": "120"},
                      headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "0 到 100" in bad.get_data(as_text=True)
    html = client.get(f"/trainings/{training_id}").get_data(as_text=True)
    assert "考核合格率 <strong>67%</strong>（2/3）" in html
    from app.trainings.records import totals, totals_for
    from app.trainings.models import Training

    with app.app_context():  # the list's and the ledger's grouped totals agree with the detail page's
        assert totals_for([training_id])[training_id] == totals(db.session.get(Training, training_id))


def test_an_absent_attendee_has_no_assessment(app, client, clerk, training_id):
    """缺席 then 80: refused, nothing saved, no score field on his row. 80 then 缺席: the
    result goes with the mark (said in the log). Neither counts in the pass rate."""
    ids = add_technicians(app, client, training_id)
    with app.app_context():  # held
        db.session.get(Training, training_id).status = "done"
        db.session.commit()
    token = client.csrf()
    hx = {"HX-Request": "true"}
    client.post(f"/trainings/{training_id}/attendees/{ids[0]}/status", data={"csrf_token": token, "status": "absent"},
                headers=hx)
    r = client.post(f"/trainings/{training_id}/attendees/{ids[0]}/assess", data={"csrf_token": token, "score": "80"},
                    headers=hx)
    assert r.status_code == 422 and "缺席，未参加培训，不能登记考核结果" in r.get_data(as_text=True)
    row = client.get(f"/trainings/{training_id}").get_data(as_text=True).split(f'id="att-{ids[0]}"')[1].split("</tr>")[0]
    assert "缺席，无考核" in row and 'name="score"' not in row
    client.post(f"/trainings/{training_id}/attendees/{ids[1]}/assess", data={"csrf_token": token, "score": "90"},
                headers=hx)
    client.post(f"/trainings/{training_id}/attendees/{ids[1]}/status", data={"csrf_token": token, "status": "leave"},
                headers=hx)
    client.post(f"/trainings/{training_id}/attendees/{ids[2]}/assess", data={"csrf_token": token, "score": "50"},
                headers=hx)
    html = client.get(f"/trainings/{training_id}").get_data(as_text=True)
    assert "考核合格率 <strong>0%</strong>（0/1）" in html
    from app.audit.models import AuditEntry
    from app.trainings.records import totals, totals_for

    with app.app_context():
        assert [(a.score, a.passed) for a in (db.session.get(Attendee, i) for i in ids[:2])] == [("", None), ("", None)]
        assert db.session.scalar(select(AuditEntry.summary).where(AuditEntry.summary.like("%请假（清除考核结果 90）")))
        assert totals_for([training_id])[training_id] == totals(db.session.get(Training, training_id))


def test_a_planned_session_asks_for_no_assessment_until_held(app, client, clerk, training_id):
    """计划中: each attendee's line has the sign-in buttons (leave can be known ahead) but no
    score or feedback fields, which belong after the session; once held, they are there."""
    ids = add_technicians(app, client, training_id)
    with app.app_context():
        t = db.session.get(Training, training_id)
        t.status = "planned"
        db.session.commit()
    html = client.get(f"/trainings/{training_id}").get_data(as_text=True)
    rows = html.split('id="attendees"', 1)[-1]
    assert rows.count("培训完成后登记") == len(ids) and 'name="score"' not in rows and "请假" in rows
    assert "<th>序号</th>" in html
    with app.app_context():
        db.session.get(Training, training_id).status = "done"
        db.session.commit()
    rows = client.get(f"/trainings/{training_id}").get_data(as_text=True).split('id="attendees"', 1)[-1]
    assert rows.count('name="score"') == len(ids) and "培训完成后登记" not in rows


def test_nobody_signs_in_to_a_session_before_its_day(app, client, clerk, training_id):
    """A session next week: 请假 may be given now, 已签到 and 缺席 only from its day on (a
    tap, a crafted post or 全部签到 are refused with the reason, nothing changed)."""
    ids = add_technicians(app, client, training_id)
    with app.app_context():
        t = db.session.get(Training, training_id)
        t.held_on, t.status = clock.local_now().date() + timedelta(days=7), "planned"
        db.session.commit()
    rows = client.get(f"/trainings/{training_id}").get_data(as_text=True).split('id="attendees"', 1)[-1]
    assert "sign-signed" not in rows and "sign-absent" not in rows and "sign-all" not in rows
    assert rows.count("sign-leave") == len(ids) and "培训当天起可签到" in rows
    for status in ("signed", "absent"):
        r = client.post_form(f"/trainings/{training_id}/attendees/{ids[0]}/status", {"status": status},
                             headers={"HX-Request": "true"})
        assert r.status_code == 422 and "当天起才能登记签到或缺席" in r.get_data(as_text=True)
    page = client.post_form(f"/trainings/{training_id}/attendees/sign-all", {}, follow_redirects=True)
    assert "当天起才能登记签到或缺席" in page.get_data(as_text=True)
    assert client.post_form(f"/trainings/{training_id}/attendees/{ids[1]}/status", {"status": "leave"}).status_code == 303
    with app.app_context():
        assert [a.status for a in db.session.get(Training, training_id).attendees] == ["pending", "leave", "pending"]
        db.session.get(Training, training_id).held_on = clock.local_now().date()  # the day has come
        db.session.commit()
    assert client.post_form(f"/trainings/{training_id}/attendees/{ids[0]}/status", {"status": "signed"}).status_code == 303
    with app.app_context():
        assert db.session.get(Training, training_id).attendees[0].status == "signed"


def test_someone_hired_after_the_session_is_not_put_on_its_list(app, client, clerk, training_id):
    """The session was on 11-20; tech0 joined on 12-01: adding the 技师 position leaves him
    out and says so, adding him by name is refused, nobody is marked 缺席 for a session held
    before he was hired."""
    with app.app_context():
        late = db.session.scalar(select(Employee).filter_by(employee_no="T0"))
        late.hire_date, late_id = date(2026, 12, 1), late.id
        db.session.commit()
    ids = add_technicians(app, client, training_id)
    page = client.get(f"/trainings/{training_id}").get_data(as_text=True)
    assert "已加入技师 2 人。tech0 在培训日期之后入职，未加入。" in page and len(ids) == 2
    page = client.post_form(f"/trainings/{training_id}/attendees", {"employee_id": late_id},
                            follow_redirects=True).get_data(as_text=True)
    assert "tech0 于 2026-12-01 入职，晚于培训日期，不能加入。" in page
    with app.app_context():
        assert late_id not in {a.employee_id for a in db.session.get(Training, training_id).attendees}


def test_upload_checks_each_file_by_content(app, client, clerk, training_id):
    client.login("clerk")
    good = imagegen.jpeg()
    truncated = good[: len(good) // 2]
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100
    r = upload(client, training_id, "photo", [
        ("现场.jpg", good), ("透明.png", imagegen.png_with_alpha()), ("g.webp", imagegen.webp()),
        ("不是图片.jpg", b"just some text, not an image at all"), ("空.jpg", b""), ("半截.jpg", truncated),
        ("炸弹.png", imagegen.bomb()), ("IMG_0001.HEIC", heic), ("../../etc/passwd.jpg", imagegen.jpeg(color=(1, 2, 3))),
        ("培训照片", imagegen.jpeg(color=(9, 9, 9))),
    ])
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    for message in ("不是图片文件", "文件是空的", "不完整或已损坏", "像素过多", "HEIC"):
        assert message in html, message
    with app.app_context():
        rows = db.session.scalars(select(TrainingFile).order_by(TrainingFile.id)).all()
        assert [f.display_name for f in rows] == ["现场.jpg", "透明.png", "g.webp", "passwd.jpg", "培训照片"]
        assert all(len(f.key) == 32 for f in rows)
    assert files_on_disk(app) == 5 * 3  # full, print, thumb per accepted photo; nothing for refused ones
    stored = os.listdir(os.path.join(app.config["UPLOAD_FOLDER"], "trainings"))
    assert not any("passwd" in n or "培训" in n for n in stored)
    # 上传 with no file chosen: said in the section it swaps (HTMX), and on the page without it
    r = upload(client, training_id, "photo", [])
    assert r.status_code == 422 and "请选择要上传的文件" in r.get_data(as_text=True)
    r = client.post_form(f"/trainings/{training_id}/files", {"kind": "photo"}, follow_redirects=True)
    assert "请选择要上传的文件" in r.get_data(as_text=True)


def test_orientation_applied_and_metadata_stripped(app, client, clerk, training_id):
    client.login("clerk")
    upload(client, training_id, "photo", [("rotated.jpg", imagegen.exif_rotated_with_gps())])
    with app.app_context():
        f = db.session.scalar(select(TrainingFile))
        assert (f.width, f.height) == (600, 800)
    r = client.get(f"/trainings/files/{f.id}/full")
    assert r.mimetype == "image/jpeg" and r.headers["X-Content-Type-Options"] == "nosniff"
    img = Image.open(io.BytesIO(r.data))
    assert img.size == (600, 800)
    exif = img.getexif()
    assert 0x8825 not in exif and 0x010F not in exif and 0x0112 not in exif


def test_size_limits(app, client, clerk, training_id):
    client.login("clerk")
    app.config["MAX_FILE_MB"] = 1
    big = imagegen.phone_photo(1)
    r = upload(client, training_id, "photo", [("big.jpg", big), ("small.jpg", imagegen.jpeg())])
    assert "超过 1 MB" in r.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    r = upload(client, training_id, "photo", [("a.jpg", big)])
    assert r.status_code == 413 and "文件过大" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(TrainingFile.id))) == 1


def test_failed_transaction_leaves_no_orphan_files(app, clerk, training_id, monkeypatch):
    from app.auth.models import User
    from app.trainings import records

    with app.app_context():
        t = db.session.get(Training, training_id)
        user = db.session.scalar(select(User).filter_by(username="clerk"))
        records.upload(t, [FileStorage(io.BytesIO(imagegen.jpeg()), filename="a.jpg")], "photo", user)
        assert files_on_disk(app) == 3
        db.session.rollback()
        assert files_on_disk(app) == 0
        assert db.session.scalar(select(func.count(TrainingFile.id))) == 0


def test_soft_delete_and_admin_undo(app, client, clerk, training_id):
    client.login("clerk")
    upload(client, training_id, "photo", [("a.jpg", imagegen.jpeg())])
    with app.app_context():
        fid = db.session.scalar(select(TrainingFile.id))
    assert client.post_form(f"/trainings/files/{fid}/delete").status_code == 303
    html = client.get(f"/trainings/{training_id}").get_data(as_text=True)
    assert f"/trainings/files/{fid}/thumb" not in html
    assert client.get(f"/trainings/files/{fid}/thumb").status_code == 404
    assert client.post_form(f"/trainings/files/{fid}/restore").status_code == 403
    admin = Client(app.test_client())
    admin.login("boss")
    assert f"/trainings/files/{fid}/thumb" in admin.get(f"/trainings/{training_id}?deleted=1").get_data(as_text=True)
    assert admin.post_form(f"/trainings/files/{fid}/restore").status_code == 303
    assert f"/trainings/files/{fid}/thumb" in client.get(f"/trainings/{training_id}").get_data(as_text=True)
    assert files_on_disk(app) == 3  # a soft delete keeps the files


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_materials_by_content_and_download_headers(app, client, clerk, training_id):
    client.login("clerk")
    from app.printing import html_to_pdf

    with app.test_request_context():
        pdf = html_to_pdf("<p>讲义</p>")
    r = upload(client, training_id, "material", [
        ("制动系统讲义.pdf", pdf), ("考核表.docx", docx_bytes()), ("页面.pdf", b"<html><script>alert(1)</script></html>"),
        ("随便.zip", b"PK\x03\x04 not really a zip"),
    ])
    html = r.get_data(as_text=True)
    assert html.count("已上传") == 2 and "网页、程序等" in html and "文件已损坏" in html
    with app.app_context():
        f = db.session.scalar(select(TrainingFile).filter_by(display_name="制动系统讲义.pdf"))
        d = db.session.scalar(select(TrainingFile).filter_by(display_name="考核表.docx"))
        assert d.mime.endswith("wordprocessingml.document")
    r = client.get(f"/trainings/files/{f.id}/file")
    assert r.data == pdf and r.mimetype == "application/pdf"
    cd = r.headers["Content-Disposition"]
    assert cd.startswith("attachment;") and "filename*=UTF-8''%E5%88%B6%E5%8A%A8" in cd
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    anon = app.test_client()
    assert anon.get(f"/trainings/files/{f.id}/file").status_code == 302  # login required


def _zip(files: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return out.getvalue()


def test_materials_allow_list_by_content(app, client, clerk, training_id):
    """Only documents, text, pictures and MP4 pass, each extension matching its content;
    programs, HTA, HTML in disguise and macro-enabled Office files are refused."""
    from PIL import Image

    from app.printing import html_to_pdf

    client.login("clerk")
    with app.test_request_context():
        pdf = html_to_pdf("<p>讲义</p>")
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(png, "PNG")
    huge = io.BytesIO()
    Image.new("1", (7700, 7700)).save(huge, "PNG")  # 59 megapixels in a few kilobytes
    refused = {
        "tool.exe": b"MZ\x90\x00" + b"\x00" * 200,
        "setup.hta": b'<html><head><hta:application id="x"/><script>new ActiveXObject("WScript.Shell")</script>',
        "伪装.pdf": b"%PDF-1.4\n<html><script>alert(1)</script></html>",
        "宏.docm": _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>", "word/vbaProject.bin": "x"}),
        "宏2.docx": _zip({"[Content_Types].xml": '<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
                         "word/document.xml": "<w/>"}),
        "表格.xlsx": docx_bytes(),                     # a Word file named as Excel
        "run.sh": b"#!/bin/sh\nrm -rf /\n",
        "page.txt": b"<!DOCTYPE html><html><body>hi</body></html>",
        "巨图.png": huge.getvalue(),
        "clip.mov": b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00",
    }
    accepted = {
        "说明.txt": "举升机操作注意事项\n".encode("utf-8"),
        "clip.mp4": b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2",
        "现场.png": png.getvalue(),
        "讲义": pdf,                                  # no extension: named by its content
    }
    r = upload(client, training_id, "material", list(refused.items()) + list(accepted.items()))
    html = r.get_data(as_text=True)
    assert html.count("已上传") == len(accepted), html
    for message in ("可执行程序和脚本不能", "不是完整的 PDF 文件", "含宏的 Office 文件不能上传", "与内容（Word）不符",
                    "网页、程序等", "图片像素过多", "不支持的视频格式"):
        assert message in html, message
    with app.app_context():
        names = {f.display_name: f.mime for f in db.session.scalars(select(TrainingFile).filter_by(kind="material"))}
    assert names == {"说明.txt": "text/plain; charset=utf-8", "clip.mp4": "video/mp4", "现场.png": "image/png",
                     "讲义.pdf": "application/pdf"}


def test_employee_history_with_hours(app, client, clerk, training_id):
    client.login("clerk")
    with app.app_context():
        emp = db.session.scalar(select(Position).filter_by(seed_key="technician")).employees[0]
        emp_id = emp.id
    client.post_form(f"/trainings/{training_id}/attendees", {"employee_id": emp_id})
    with app.app_context():
        aid = db.session.scalar(select(Attendee.id))
    client.post_form(f"/trainings/{training_id}/attendees/{aid}/status", {"status": "signed"})
    html = client.get(f"/staff/{emp_id}").get_data(as_text=True)
    assert "制动系统检修培训" in html and "2026年 <strong>2.5</strong> 小时" in html
    with app.app_context():
        tech_position = db.session.scalar(select(Position.id).filter_by(seed_key="technician"))
    assert "本岗位近期培训" in client.get(f"/handbook/positions/{tech_position}").get_data(as_text=True)
    lst = client.get("/trainings/?attendee=tech0&year=2026").get_data(as_text=True)
    assert "制动系统检修培训" in lst
    assert "制动系统检修培训" not in client.get("/trainings/?attendee=nobody").get_data(as_text=True)


def test_an_employees_page_lists_his_latest_sessions_and_all_on_request(app, client, clerk):
    """Years of trainings do not make the page endless: the latest 12 sessions, the hours of
    every year (all sessions counted), and 显示全部 with the number, which lists them all."""
    from app.trainings.records import SHOWN_HISTORY

    with app.app_context():
        emp = db.session.scalar(select(Position).filter_by(seed_key="technician")).employees[0]
        cat = db.session.scalar(select(TrainingCategory.id))
        by = db.session.scalar(select(User.id).filter_by(username="clerk"))
        for n in range(SHOWN_HISTORY + 2):  # one a month back from 2026-11, 2 hours each, the oldest in 2025
            t = Training(topic=f"月度例会第{n + 1:02d}期", category_id=cat, held_on=date(2026, 11 - n, 3) if n < 11
                         else date(2025, 23 - n, 3), start_time=time(9), end_time=time(11), status="done", created_by_id=by)
            db.session.add(t)
            db.session.flush()
            db.session.add(Attendee(training_id=t.id, employee_id=emp.id, name=emp.name,
                                    status="signed" if n != 1 else "absent"))
        db.session.commit()
        emp_id = emp.id
    client.login("clerk")
    html = client.get(f"/staff/{emp_id}").get_data(as_text=True)
    shown = [f"月度例会第{n + 1:02d}期" in html for n in range(SHOWN_HISTORY + 2)]
    assert shown == [True] * SHOWN_HISTORY + [False, False]  # the newest first, the two oldest not listed
    assert "2026年 <strong>20.0</strong> 小时；2025年 <strong>6.0</strong> 小时" in html  # 11 in 2026, one absent
    assert f"显示全部 {SHOWN_HISTORY + 2} 条培训记录" in html
    everything = client.get(f"/staff/{emp_id}?trainings=all").get_data(as_text=True)
    assert all(f"月度例会第{n + 1:02d}期" in everything for n in range(SHOWN_HISTORY + 2))
    assert "显示全部" not in everything


def test_signin_sheet_record_and_ledger_pdfs(app, client, clerk, training_id):
    add_technicians(app, client, training_id)
    text = pdftotext(client.get(f"/trainings/{training_id}/signin.pdf").data)
    assert "培训签到表" in text and "制动系统检修培训" in text and "tech0" in text and "签名" in text
    assert "8" in text  # 3 names + 5 spare numbered rows
    upload(client, training_id, "photo", [("a.jpg", imagegen.jpeg()), ("b.jpg", imagegen.jpeg(color=(1, 200, 3)))])
    upload(client, training_id, "signin", [("scan.jpg", imagegen.jpeg((1240, 1754), (250, 250, 250)))])
    r = client.get(f"/trainings/{training_id}/record.pdf")
    text = pdftotext(r.data)
    assert "培训记录" in text and "制动系统检修培训" in text and "tech1" in text and "制动系统结构与检修要点" in text
    assert pdfimages_count(r.data) == 3  # two photos, one scanned sheet
    assert_cjk_fonts_embedded(r.data)
    with app.app_context():  # one session held, one still planned
        held = db.session.get(Training, training_id)
        held.status = "done"
        db.session.add(Training(topic="冬季空调检修（计划）", category_id=held.category_id, held_on=date(2026, 12, 5),
                                start_time=time(9), end_time=time(11), created_by_id=held.created_by_id))
        db.session.commit()
    text = pdftotext(client.get("/trainings/ledger.pdf?year=2026").data)
    assert "2026年培训台账" in text and "制动系统检修培训" in text and "11月小计" in text
    held_part, planned_part = text.split("计划中的培训（未计入合计）")
    assert "全年合计（已举办）：1 场" in held_part and "12月小计" not in held_part
    assert "冬季空调检修（计划）" in planned_part and "冬季空调检修" not in held_part


def test_twelve_phone_photos_make_a_record_under_5_mb(app, client, clerk, training_id):
    from app.auth.models import User
    from app.trainings import records

    photo = imagegen.phone_photo(3)
    assert len(photo) > 3_000_000
    with app.app_context():
        t = db.session.get(Training, training_id)
        user = db.session.scalar(select(User).filter_by(username="clerk"))
        results = records.upload(t, [FileStorage(io.BytesIO(photo), filename=f"IMG_{n}.jpg") for n in range(12)],
                                 "photo", user)
        assert all(r.ok for r in results)
        db.session.commit()
    client.login("clerk")
    r = client.get(f"/trainings/{training_id}/record.pdf")
    assert pdfimages_count(r.data) == 12
    assert len(r.data) < 5 * 1024 * 1024, len(r.data)


def test_permissions(app, client, clerk, training_id):
    client.login("tech0")
    assert client.get(f"/trainings/{training_id}").status_code == 200  # reading is for everyone
    assert client.post_form(f"/trainings/{training_id}/attendees", {"name": "x"}).status_code == 403
    assert upload(client, training_id, "photo", [("a.jpg", imagegen.jpeg())]).status_code == 403


def test_sign_all_remove_reset_and_a_sign_in_on_another_day(app, client, clerk, training_id, monkeypatch):
    from app import clock
    from app.audit.models import AuditEntry

    ids = add_technicians(app, client, training_id)
    html = client.get(f"/trainings/{training_id}").get_data(as_text=True)
    assert "全部签到" in html and "确认从名单中移除" in html
    # removal asks first (a disclosure, no script needed), then removes and audits
    r = client.post_form(f"/trainings/{training_id}/attendees/{ids[2]}/remove", follow_redirects=True)
    assert r.status_code == 200
    with app.app_context():
        assert db.session.get(Attendee, ids[2]) is None
        before = db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action="training_signin"))
    # the session was on 2026-11-20; signing in the next morning shows the date
    monkeypatch.setattr(clock, "now_utc", lambda: datetime(2026, 11, 21, 1, 5))
    r = client.post_form(f"/trainings/{training_id}/attendees/sign-all", follow_redirects=True)
    assert "已为 2 人签到" in r.get_data(as_text=True)
    with app.app_context():
        assert [a.status for a in db.session.get(Training, training_id).attendees] == ["signed", "signed"]
        assert db.session.scalar(select(func.count(AuditEntry.id)).filter_by(action="training_signin")) == before + 2
    html = client.get(f"/trainings/{training_id}").get_data(as_text=True)
    assert "登记于 2026-11-21 09:05" in html and "全部签到" not in html
    from tests.pdftools import pdftotext

    # The print states a sign-in time only when the sign-in was recorded during the
    # session (14:00–16:30): a status entered the next morning is no sign-in time.
    text = pdftotext(client.get(f"/trainings/{training_id}/record.pdf").data)
    assert "已签到" in text and "09:05" not in text
    with app.app_context():
        first = db.session.get(Attendee, ids[0])
        first.signed_at = datetime(2026, 11, 20, 6, 2)  # 14:02 local, during the session
        db.session.commit()
    text = pdftotext(client.get(f"/trainings/{training_id}/record.pdf").data)
    assert "14:02" in text
    # a signed-in attendee is reset to 未签到 before it can be removed
    assert "重置" in html
    token = client.csrf()
    client.post(f"/trainings/{training_id}/attendees/{ids[0]}/status", data={"csrf_token": token, "status": "pending"})
    r = client.post_form(f"/trainings/{training_id}/attendees/{ids[0]}/remove", follow_redirects=True)
    with app.app_context():
        assert db.session.get(Attendee, ids[0]) is None


def test_invalid_score_keeps_what_was_typed_and_scores_are_private(app, client, clerk, training_id, make_user):
    ids = add_technicians(app, client, training_id)
    token = client.csrf()
    client.post(f"/trainings/{training_id}/attendees/{ids[0]}/assess", data={"csrf_token": token, "score": "88"},
                headers={"HX-Request": "true"})
    bad = client.post(f"/trainings/{training_id}/attendees/{ids[0]}/assess",
                      data={"csrf_token": token, "score": "130", "feedback": "补考"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and 'value="130"' in bad.get_data(as_text=True)
    assert 'value="补考"' in bad.get_data(as_text=True)
    # another employee does not see the score; the trainee does
    make_user("cs", position="customer_service")
    other = Client(app.test_client())
    other.login("cs")
    html = other.get(f"/trainings/{training_id}").get_data(as_text=True)
    assert "88" not in html.split('id="attendees"')[1]
    trainee = Client(app.test_client())
    trainee.login("tech0")
    assert "88" in trainee.get(f"/trainings/{training_id}").get_data(as_text=True).split('id="attendees"')[1]


def test_training_dates_outside_sane_bounds_refused(app, client, clerk):
    client.login("clerk")
    with app.app_context():
        cat = db.session.scalar(select(TrainingCategory.id).filter_by(name="服务流程"))
    for held_on in ("0001-01-01", "9999-12-31", "1999-12-31"):
        r = client.post_form("/trainings/new", {"topic": "接待流程", "category_id": cat, "held_on": held_on,
                                                "start_time": "09:00", "end_time": "10:00", "trainer_employee_id": 0,
                                                "status": "planned"})
        assert r.status_code == 422 and "日期应在 2000 年至 2100 年之间" in r.get_data(as_text=True), held_on
    with app.app_context():
        assert db.session.scalar(select(func.count(Training.id)).filter_by(topic="接待流程")) == 0


def test_the_ledger_pdf_follows_a_new_session(app, client, clerk, training_id):
    """A session recorded after a first print is in the next one."""
    client.login("clerk")
    first = client.get("/trainings/ledger.pdf?year=2026")
    assert client.get("/trainings/ledger.pdf?year=2026").data == first.data  # the PDF cache
    assert "接待流程" not in pdftotext(first.data)
    with app.app_context():
        cat = db.session.scalar(select(TrainingCategory.id).filter_by(name="服务流程"))
    assert client.post_form("/trainings/new", {
        "topic": "接待流程", "category_id": cat, "held_on": "2026-11-27", "start_time": "09:00", "end_time": "10:30",
        "trainer_employee_id": 0, "trainer_name": "刘主管", "place": "会议室", "status": "planned"}).status_code == 303
    assert "接待流程" in pdftotext(client.get("/trainings/ledger.pdf?year=2026").data)


def test_signatures_and_materials_only_for_who_needs_them(app, client, clerk, training_id, make_user):
    """A sign-in scan carries signatures: the clerk, admin and the attendees' supervisors.
    Materials: those and the attendees. Photos: everyone. A non-attendee technician gets
    neither the files nor a link to them, nor the scans in the record PDF."""
    make_user("outsider", position="technician", employee_no="T9")
    make_user("wm", position="workshop_manager")
    client.login("clerk")
    add_technicians(app, client, training_id)
    upload(client, training_id, "signin", [("sheet.jpg", imagegen.jpeg())])
    upload(client, training_id, "material", [("手册.docx", docx_bytes())])
    upload(client, training_id, "photo", [("p.jpg", imagegen.jpeg())])
    with app.app_context():
        ids = {f.kind: f.id for f in db.session.scalars(select(TrainingFile))}
        outsider_emp = db.session.scalar(select(Employee).filter_by(employee_no="T9"))
        # the attendee list was made from the position: take the outsider off it
        for a in db.session.get(Training, training_id).attendees:
            if a.employee_id == outsider_emp.id:
                db.session.delete(a)
        db.session.commit()
    url = lambda kind: f"/trainings/files/{ids[kind]}/{'file' if kind == 'material' else 'thumb'}"  # noqa: E731
    for who, allowed in (("outsider", {"photo"}), ("tech0", {"photo", "material"}),
                         ("wm", {"photo", "signin", "material"}), ("clerk", {"photo", "signin", "material"})):
        client.logout()
        client.login(who)
        page = client.get(f"/trainings/{training_id}").get_data(as_text=True)
        for kind in ("photo", "signin", "material"):
            status = client.get(url(kind)).status_code
            assert (status == 200) == (kind in allowed), (who, kind, status)
            assert (f"/trainings/files/{ids[kind]}/" in page) == (kind in allowed), (who, kind)
    client.logout()
    client.login("outsider")
    record = pdftotext(client.get(f"/trainings/{training_id}/record.pdf").data)
    assert "签到表（第 1 页）" not in record and "手册.docx" not in record


def test_an_overlong_caption_is_refused_never_cut(app, client, clerk, training_id):
    client.login("clerk")
    upload(client, training_id, "photo", [("a.jpg", imagegen.jpeg())])
    with app.app_context():
        fid = db.session.scalar(select(TrainingFile.id))
    r = client.post_form(f"/trainings/files/{fid}/caption", {"caption": "长" * 500}, follow_redirects=True)
    assert "说明最多 120 字（现为 500 字），未保存" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TrainingFile, fid).caption == ""


def test_the_record_pdf_captions_photos_in_words_not_file_names(app, client, clerk, training_id):
    client.login("clerk")
    upload(client, training_id, "photo", [("IMG_20261120_0931.jpg", imagegen.jpeg()), ("b.jpg", imagegen.jpeg())])
    with app.app_context():
        first = db.session.scalar(select(TrainingFile).order_by(TrainingFile.id))
        first.caption = "讲师演示制动检修"
        db.session.commit()
    text = pdftotext(client.get(f"/trainings/{training_id}/record.pdf").data)
    assert "讲师演示制动检修" in text and "2. 培训照片" in text and "IMG_2026" not in text and "b.jpg" not in text


def test_signin_scans_may_be_pdfs_checked_by_content(app, client, clerk, training_id):
    """Office copiers scan to PDF: a sign-in scan may be one ("pdf-signin.pdf：不是图片文件"
    before); it opens from the training's page and travels inside the record PDF as an
    attached file. A page dressed up as a PDF is still refused."""
    import subprocess
    import tempfile

    from weasyprint import HTML

    scan = HTML(string="<p>签到表 第1页</p>").write_pdf()
    client.login("clerk")
    page = upload(client, training_id, "signin", [("pdf-signin.pdf", scan),
                                                   ("伪装.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>")])
    html = page.get_data(as_text=True)
    assert "pdf-signin.pdf：已上传" in html and "伪装.pdf：不是完整的 PDF 文件" in html
    with app.app_context():
        f = db.session.scalar(select(TrainingFile).filter_by(training_id=training_id, kind="signin"))
        assert f.display_name == "pdf-signin.pdf" and f.is_pdf
        file_id = f.id
    detail = client.get(f"/trainings/{training_id}").get_data(as_text=True)
    assert f"/trainings/files/{file_id}/file" in detail and "打开扫描件" in detail
    got = client.get(f"/trainings/files/{file_id}/file")
    assert got.status_code == 200 and got.mimetype == "application/pdf" and got.data == scan
    record = client.get(f"/trainings/{training_id}/record.pdf").data
    assert "已作为附件附在本文件中" in pdftotext(record)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(record)
        fh.flush()
        attached = subprocess.run(["pdfdetach", "-list", fh.name], capture_output=True, text=True, check=True).stdout
    assert "1 embedded files" in attached


def test_workspace_lists_held_sessions_whose_record_is_incomplete(app, clerk, training_id):
    """培训档案待补: held sessions of the last year with nobody signed in or no content,
    the latest first, with their count; a complete record, a planned session and one older
    than a year are not listed."""
    from app.auth.models import User
    from app.parts import Desk
    from app.trainings.desk import missing_records
    from app.trainings.models import DONE, SIGNED

    with app.test_request_context():
        user = db.session.scalar(select(User).filter_by(username="clerk"))
        desk = Desk(user, user.employee, None, datetime(2026, 12, 1, 9))
        t = db.session.get(Training, training_id)
        assert missing_records(desk) is None  # planned: nothing to fill in yet
        t.status = DONE
        older = Training(topic="去年的培训", category_id=t.category_id, held_on=date(2025, 11, 3), start_time=time(9),
                         end_time=time(10), place="", trainer_name="", organiser="", created_by_id=user.id,
                         content="", status=DONE)
        later = Training(topic="无签到的培训", category_id=t.category_id, held_on=date(2026, 11, 28), start_time=time(9),
                         end_time=time(10), place="", trainer_name="", organiser="", created_by_id=user.id,
                         content="有内容", status=DONE)
        db.session.add_all([older, later])
        db.session.commit()
        block = missing_records(desk)
        assert block.total == 2 and [r.topic for r in block.rows] == ["无签到的培训", "制动系统检修培训"]
        tech = db.session.scalar(select(Employee).filter_by(employee_no="T0"))
        db.session.add(Attendee(training_id=t.id, employee_id=tech.id, name=tech.name, position_title="技师",
                                status=SIGNED, sort_order=1))
        db.session.commit()
        block = missing_records(desk)  # signed in and written up: complete
        assert block.total == 1 and [r.topic for r in block.rows] == ["无签到的培训"]
        t.content = ""
        db.session.commit()
        assert missing_records(desk).total == 2  # signed in, but no content
        nobody = Desk(db.session.scalar(select(User).filter_by(username="tech0")), tech, None, desk.now)
        assert missing_records(nobody) is None  # not a training clerk


def test_my_trainings_on_the_workspace_next_last_three_and_this_years_hours(app, clerk):
    """我的培训 (trainings.desk.my_trainings): the sessions planned for him from today, the
    last three he attended (of two the same day, the later first), and the hours of those
    he attended this year; an absence and last year's sessions count for nothing."""
    from types import SimpleNamespace

    from app.auth.models import User
    from app.trainings.desk import my_trainings
    from app.trainings.models import ABSENT, DONE, PLANNED, SIGNED

    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username="clerk"))
        cat = db.session.scalar(select(TrainingCategory).filter_by(name="技术"))
        tech = db.session.scalar(select(Employee).filter_by(employee_no="T0"))
        sessions = {}
        for name, day, start, end, status, sign in [
                ("A", date(2026, 3, 2), time(9), time(11), DONE, SIGNED),
                ("B", date(2026, 5, 10), time(14), time(16, 30), DONE, SIGNED),
                ("C", date(2026, 5, 10), time(9), time(10), DONE, SIGNED),
                ("D", date(2026, 4, 1), time(9), time(12), DONE, ABSENT),
                ("E", date(2025, 12, 20), time(9), time(17), DONE, SIGNED),
                ("F", date(2026, 6, 1), time(9), time(10), PLANNED, "pending"),
                ("G", date(2026, 5, 1), time(9), time(10), PLANNED, "pending")]:
            t = Training(topic=f"课程{name}", category_id=cat.id, held_on=day, start_time=start, end_time=end,
                         status=status, created_by_id=user.id)
            t.attendees.append(Attendee(employee_id=tech.id, name=tech.name, status=sign))
            db.session.add(t)
            sessions[name] = t
        db.session.commit()
        mine = my_trainings(SimpleNamespace(employee=tech, today=date(2026, 5, 20)))
        assert [t.topic for t in mine["upcoming"]] == ["课程F"]
        assert [t.topic for t in mine["recent"]] == ["课程B", "课程C", "课程A"]
        assert mine["hours"] == 5.5
        nobody = db.session.scalar(select(Employee).filter_by(employee_no="T1"))
        assert my_trainings(SimpleNamespace(employee=nobody, today=date(2026, 5, 20))) == \
            {"upcoming": [], "recent": [], "hours": 0}


def test_a_session_whose_trainer_has_left_can_still_be_edited(app, client, clerk):
    """The trainer picker lists the active staff and, on a session's edit form, its own
    trainer even after he left: saving another change keeps him, not a refusal."""
    client.login("clerk")
    with app.app_context():
        cat = db.session.scalar(select(TrainingCategory.id).filter_by(name="技术"))
        trainer = db.session.scalar(select(Employee).filter_by(employee_no="T2"))
        trainer_id = trainer.id
    form = {"topic": "四轮定位", "category_id": cat, "held_on": "2026-11-27", "start_time": "09:00",
            "end_time": "10:00", "status": "planned", "trainer_employee_id": trainer_id, "place": "车间"}
    assert client.post_form("/trainings/new", form).status_code == 303
    with app.app_context():
        tid = db.session.scalar(select(Training.id).filter_by(topic="四轮定位"))
        db.session.get(Employee, trainer_id).active = False
        db.session.commit()
    def picker(url):
        page = client.get(url).get_data(as_text=True)
        start = page.index('name="trainer_employee_id">')
        return page[start:page.index("</select>", start)]

    assert f'value="{trainer_id}"' not in picker("/trainings/new")
    assert f'<option value="{trainer_id}" selected>' in picker(f"/trainings/{tid}/edit")
    assert client.post_form(f"/trainings/{tid}/edit", dict(form, place="二楼培训室")).status_code == 303
    with app.app_context():
        t = db.session.get(Training, tid)
        assert t.place == "二楼培训室" and t.trainer_employee_id == trainer_id


def test_someone_who_leaves_is_taken_off_the_planned_sessions_not_the_held_ones(app, clerk):
    """离职 (parts.employee_left): off the list of a session still planned (its 应到 no longer
    counts him; audited), kept on a session held, and on a planned one where he is marked."""
    from app.parts import employee_left

    with app.test_request_context():
        emp = db.session.scalar(select(Position).filter_by(seed_key="technician")).employees[0]
        cat = db.session.scalar(select(TrainingCategory.id))
        by = db.session.scalar(select(User.id).filter_by(username="clerk"))
        today = clock.local_now().date()
        sessions = {}
        for topic, day, status, mark in (("冬季空调检修", today + timedelta(days=7), "planned", "pending"),
                                         ("安全生产月", today + timedelta(days=9), "planned", "leave"),
                                         ("制动系统检修", today - timedelta(days=30), "done", "signed")):
            t = Training(topic=topic, category_id=cat, held_on=day, start_time=time(9), end_time=time(11),
                         status=status, created_by_id=by)
            db.session.add(t)
            db.session.flush()
            db.session.add(Attendee(training_id=t.id, employee_id=emp.id, name=emp.name, status=mark))
            sessions[topic] = t.id
        db.session.flush()
        emp.active = False
        lines = employee_left(emp, None)
        assert f"已将 {emp.name} 从 1 场计划中的培训名单中移除（冬季空调检修）。" in lines
        on = {db.session.get(Training, a.training_id).topic for a in db.session.scalars(
            select(Attendee).filter_by(employee_id=emp.id))}
        assert on == {"安全生产月", "制动系统检修"}
        db.session.rollback()
