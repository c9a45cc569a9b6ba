"""What a checklist item asks for when it is ticked, and the values stored with the tick.

An item has zero or more fields (ChecklistField): a number (回厂率 %, with decimals, a
range and a target), a count, yes/no, a choice, a short text, minutes (会议纪要 with the
attendees), photos, or a file. The tick or self-check form sends them along; `parse`
checks every one (a clear Chinese message, nothing stored) and `store` keeps them with the
event that entered them. Every value carries a copy of its field's definition, so a field
changed or retired later leaves past values readable as they were entered.

Uploads go through app/uploads.py: photos are decoded, turned upright, stripped and
stored in three sizes; files are checked by content as training materials are.
"""
import math
import re
from dataclasses import dataclass, field as dc_field

import unicodedata
from PIL import Image
from sqlalchemy import bindparam, select

from app import uploads
from app.checklists.marks import marks_where, pairs_clause
from app.checklists.models import ChecklistField, ChecklistItem, ChecklistMark, ChecklistValue
from app.database import statement
from app.extensions import db
from app.staff.models import Employee

KINDS = {"number": "数值", "count": "计数", "yesno": "是/否", "choice": "选项", "text": "短文本",
         "minutes": "会议纪要", "photo": "照片", "file": "文件"}
NUMERIC = ("number", "count")
UPLOAD_KINDS = ("photo", "file")
SUB = "checklists"
# Photos print two to a row on the monthly sheet: an 800 px print rendition keeps a month
# of them a few MB.
PHOTO_SIZES = {"full": 2048, "print": 800, "thumb": 400}
MAX_PHOTOS = 10
MAX_TEXT = 200
MAX_MINUTES = 5000
MAX_ABS = 1e12
FILE_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "jpg", "png", "webp")
FILE_ACCEPT = ",".join("." + t for t in FILE_TYPES)
NUMBER_RE = re.compile(r"[-+]?\d+(?:\.\d+)?")
# Short marks for the grid and the printed sheet.
MARKS = {"photo": "照", "file": "附", "minutes": "纪"}


class FieldError(ValueError):
    """Bad or missing values; the message lists each, in Chinese."""

    status = 422


@dataclass
class Entry:
    """One value checked and ready to store (a photo: the decoded image)."""
    field: ChecklistField
    number: float | None = None
    text: str = ""
    attendees: str = ""
    image: Image.Image | None = None
    data: bytes | None = None
    filename: str = ""
    file_type: str = ""


@dataclass
class Submission:
    """What a tick form sent: the entries, and the required fields left empty."""
    entries: list[Entry] = dc_field(default_factory=list)
    missing: list[str] = dc_field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.entries


def active_fields(item: ChecklistItem) -> list[ChecklistField]:
    return [f for f in item.fields if f.active]


def input_name(f: ChecklistField) -> str:
    return f"f{f.id}"


def fmt_number(value: float | None, decimals: int) -> str:
    if value is None:
        return ""
    return f"{value:.{max(0, min(decimals, 6))}f}"


def _limits(f) -> str:
    lo, hi = f.min_value, f.max_value
    d = f.decimals if f.kind == "number" else 0
    if lo is not None and hi is not None:
        return f"应在 {fmt_number(lo, d)} 到 {fmt_number(hi, d)} 之间"
    if lo is not None:
        return f"不能小于 {fmt_number(lo, d)}"
    return f"不能大于 {fmt_number(hi, d)}"


THOUSANDS_RE = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")


def parse_number(raw: str, f: ChecklistField) -> float:
    """A typed figure: full-width digits and a trailing unit ("85%", "８５") are accepted;
    more decimals than the field allows, a non-number or a value out of range is not."""
    text = unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "")
    unit = unicodedata.normalize("NFKC", f.unit or "")
    if unit and text.endswith(unit):
        text = text[: -len(unit)]
    label = f"「{f.label}」"
    if "," in text:  # a thousands separator ("1,234") is dropped; "88,5" is a decimal comma
        if not THOUSANDS_RE.fullmatch(text):
            return _fail(f"{label}的小数点请用“.”（填写了“{raw.strip()[:20]}”）。")
        text = text.replace(",", "")
    if not NUMBER_RE.fullmatch(text):
        return _fail(f"{label}应为{'整数' if f.kind == 'count' else '数字'}（填写了“{raw.strip()[:20]}”）。")
    decimals = len(text.split(".")[1]) if "." in text else 0
    allowed = f.decimals if f.kind == "number" else 0
    if decimals > allowed:
        return _fail(f"{label}应为整数。" if allowed == 0 else f"{label}最多 {allowed} 位小数。")
    value = float(text)
    if not math.isfinite(value) or abs(value) > MAX_ABS:
        return _fail(f"{label}数值过大。")
    if f.kind == "count" and value < 0:
        return _fail(f"{label}不能为负数。")
    if (f.min_value is not None and value < f.min_value) or (f.max_value is not None and value > f.max_value):
        return _fail(f"{label}{_limits(f)}。")
    return value


def _fail(message: str):
    raise FieldError(message)


def parse(item: ChecklistItem, form, files, attendee_names: dict[int, str] | None = None) -> Submission:
    """Check what the form sent for the item's active fields. Raises FieldError listing
    every bad value; returns the entries and the labels of required fields left empty.
    Nothing is stored here."""
    sub, errors = Submission(), []
    for f in active_fields(item):
        name = input_name(f)
        try:
            got = _parse_one(f, name, form, files, attendee_names or {})
        except FieldError as exc:
            errors.append(str(exc))
            continue
        except uploads.UploadError as exc:
            errors.append(f"「{f.label}」{exc}")
            continue
        if got:
            sub.entries.extend(got)
        elif f.required:
            sub.missing.append(f.label)
    if errors:
        raise FieldError("".join(errors))
    return sub


def _parse_one(f: ChecklistField, name: str, form, files, attendee_names: dict[int, str]) -> list[Entry]:
    raw = (form.get(name) or "").strip()
    if f.kind in NUMERIC:
        return [Entry(f, number=parse_number(raw, f))] if raw else []
    if f.kind == "yesno":
        if not raw:
            return []
        if raw not in ("yes", "no"):
            _fail(f"「{f.label}」请选择“是”或“否”。")
        return [Entry(f, number=1.0 if raw == "yes" else 0.0, text="是" if raw == "yes" else "否")]
    if f.kind == "choice":
        if not raw:
            return []
        if raw not in f.choice_list():
            _fail(f"「{f.label}」请从列表中选择。")
        return [Entry(f, text=raw)]
    if f.kind == "text":
        if len(raw) > MAX_TEXT:
            _fail(f"「{f.label}」最多 {MAX_TEXT} 字。")
        return [Entry(f, text=raw)] if raw else []
    if f.kind == "minutes":
        if len(raw) > MAX_MINUTES:
            _fail(f"「{f.label}」最多 {MAX_MINUTES} 字。")
        present = []
        for v in form.getlist(name + "_att") if hasattr(form, "getlist") else []:
            try:
                present.append(attendee_names[int(v)])
            except (ValueError, KeyError):
                _fail(f"「{f.label}」的参会人员不在本岗位名单中。")
        other = unicodedata.normalize("NFKC", form.get(name + "_other") or "").strip()
        present += [n for n in re.split(r"[、,，;；\s]+", other) if n]
        attendees = "、".join(dict.fromkeys(present))
        if len(attendees) > 500:
            _fail(f"「{f.label}」的参会人员过多。")
        if not raw:
            if attendees:
                _fail(f"「{f.label}」请填写会议内容。")
            return []
        return [Entry(f, text=raw, attendees=attendees)]
    uploaded = [u for u in (files.getlist(name) if hasattr(files, "getlist") else []) if u and u.filename]
    if f.kind == "photo":
        if len(uploaded) > MAX_PHOTOS:
            _fail(f"「{f.label}」一次最多 {MAX_PHOTOS} 张照片。")
        out = []
        for u in uploaded:
            try:
                out.append(Entry(f, image=uploads.open_image(u.read()), filename=uploads.display_name(u.filename)))
            except uploads.UploadError as exc:
                _fail(f"「{f.label}」{uploads.display_name(u.filename)}：{exc}")
        return out
    if f.kind == "file":
        if len(uploaded) > 1:
            _fail(f"「{f.label}」只能上传一个文件。")
        if not uploaded:
            return []
        u = uploaded[0]
        data, filename = u.read(), uploads.display_name(u.filename)
        try:
            uploads.check_size(data)
            kind = uploads.detect_material(data, filename)
        except uploads.UploadError as exc:
            _fail(f"「{f.label}」{filename}：{exc}")
        if kind not in FILE_TYPES:
            _fail(f"「{f.label}」{filename}：请上传 PDF、Word、Excel、PowerPoint、文本或图片文件。")
        return [Entry(f, data=data, filename=uploads.material_name(filename, kind), file_type=kind)]
    return []


def store(sub: Submission, event_id: int, item_id: int, period_key: str, stored: list,
          subject_id: int = 0) -> list[ChecklistValue]:
    """The submission's values as rows of this event. Uploads are written to disk here;
    `stored` collects (kind, key) of each so the caller can remove them if the
    transaction fails."""
    rows = []
    for order, e in enumerate(sub.entries):
        f = e.field
        v = ChecklistValue(event_id=event_id, item_id=item_id, period_key=period_key, subject_id=subject_id,
                           field_id=f.id,
                           label=f.label, kind=f.kind, unit=f.unit or "", decimals=f.decimals or 0,
                           min_value=f.min_value, max_value=f.max_value, target=f.target,
                           target_dir=f.target_dir or "ge", number=e.number, text=e.text,
                           attendees=e.attendees, sort_order=order)
        if e.image is not None:
            img = uploads.save_image(e.image, SUB, PHOTO_SIZES)
            stored.append(("image", img.key))
            v.file_key, v.file_name, v.file_mime, v.file_size = img.key, e.filename, "image/jpeg", img.size
        elif e.data is not None:
            doc = uploads.store_file(e.data, e.filename, SUB, kind=e.file_type)
            stored.append(("file", doc.key))
            v.file_key, v.file_name, v.file_mime, v.file_size = doc.key, e.filename, doc.mime, doc.size
        db.session.add(v)
        rows.append(v)
    db.session.flush()
    return rows


def discard(stored: list) -> None:
    """Remove uploads written for a transaction that did not commit."""
    uploads.discard(SUB, stored)


def file_path(v: ChecklistValue, size: str = "full") -> str:
    return uploads.path_for(SUB, f"{v.file_key}-{size}.jpg" if v.kind == "photo" else f"{v.file_key}.bin")


# --- reading values ---------------------------------------------------------------------

def display(v: ChecklistValue) -> str:
    """The value as a person reads it: "82.5%", "是", "A 类", a file's name …"""
    if v.kind in NUMERIC:
        return fmt_number(v.number, v.decimals if v.kind == "number" else 0) + (v.unit or "")
    if v.kind == "yesno":  # the answer is its number; the text, where a row lacks it, follows
        return v.text or ("" if v.number is None else "是" if v.number else "否")
    if v.kind in ("choice", "text"):
        return v.text
    if v.kind == "minutes":
        return f"会议纪要（{len(v.attendees.split('、'))}人参会）" if v.attendees else "会议纪要"
    return v.file_name


def _shown_decimals(v) -> int | None:
    """The decimals a figure is written with; None for a value that is not a figure."""
    if v.kind not in NUMERIC or v.number is None:
        return None
    return v.decimals if v.kind == "number" else 0


def _out_of_range(v) -> str:
    """Why a figure lies outside its field's range (as defined when it was entered), or ""."""
    d = _shown_decimals(v)
    if d is None:
        return ""
    if v.min_value is not None and v.number < v.min_value:
        return f"低于下限 {fmt_number(v.min_value, d)}"
    if v.max_value is not None and v.number > v.max_value:
        return f"高于上限 {fmt_number(v.max_value, d)}"
    return ""


def flag(v) -> str:
    """Why a value stands out, under the definition it was entered with: a figure out of
    the field's range or short of its target, or a point whose 否 is a fault answered 否
    (as values_for / values_of_events read it). "" when it does not."""
    if why := _out_of_range(v):
        return why
    if v.kind == "yesno" and v.number == 0 and getattr(v, "fault_point", False):
        return "异常：应为“是”"  # a failed point of a check (举升机安全锁止有效？否)
    d = _shown_decimals(v)
    if d is not None and v.target is not None:
        if v.target_dir == "le" and v.number > v.target:
            return f"高于目标 {fmt_number(v.target, d)}{v.unit or ''}"
        if v.target_dir != "le" and v.number < v.target:
            return f"低于目标 {fmt_number(v.target, d)}{v.unit or ''}"
    return ""


def values_for(pairs) -> dict[tuple[int, str, int], list[ChecklistValue]]:
    """The current values (those of the mark's values event) of these occurrences, given as
    (item id, period key, subject id) keys, in one query, in the fields' order."""
    pairs = set(pairs)
    if not pairs:
        return {}
    ranges, params = pairs_clause(pairs)
    out: dict[tuple[int, str, int], list[ChecklistValue]] = {}
    for v in _with_fault_points(_current(ranges), params):
        key = (v.item_id, v.period_key, v.subject_id)
        if key in pairs:
            out.setdefault(key, []).append(v)
    return out


@statement
def _current(ranges: int):
    # The values of the marks' values events, the marks picked as mark_views picks them
    # (pairs_clause), the values by their event index.
    current = select(ChecklistMark.values_event_id).where(*marks_where(ranges))
    return _values_where(ChecklistValue.event_id.in_(current))


def _values_where(where):
    """The values `where` selects, in the fields' order, with their field's fault_on_no
    (what _with_fault_points reads)."""
    return (select(ChecklistValue, ChecklistField.fault_on_no)
            .join(ChecklistField, ChecklistField.id == ChecklistValue.field_id)
            .where(where).order_by(ChecklistValue.sort_order, ChecklistValue.id))


def _with_fault_points(stmt, params: dict) -> list[ChecklistValue]:
    """The values this statement (_values_where) selects with these parameters, in the
    fields' order, each told whether its field's 否 is a fault (`fault_point`: the field as
    defined now; the value keeps the rest of its definition itself), so that flag() can say
    so wherever a value is shown."""
    out = []
    for v, fault in db.session.execute(stmt, params):
        v.fault_point = bool(fault)
        out.append(v)
    return out


def values_of_events(event_ids) -> dict[int, list[ChecklistValue]]:
    """Values per event (for the history of an occurrence)."""
    ids = sorted(set(event_ids))
    out: dict[int, list[ChecklistValue]] = {}
    if not ids:
        return out
    for v in _with_fault_points(_of_events(), {"events": ids}):
        out.setdefault(v.event_id, []).append(v)
    return out


@statement
def _of_events():
    return _values_where(ChecklistValue.event_id.in_(bindparam("events", expanding=True)))


@dataclass
class CellSummary:
    """What a grid cell shows: the first figure (and whether it stands out) and marks
    for photos, files and minutes."""
    figure: str = ""
    flagged: str = ""
    marks: str = ""
    title: str = ""


def summarize(values: list[ChecklistValue]) -> CellSummary | None:
    if not values:
        return None
    s = CellSummary()
    kinds, kinds_listed = set(), set()
    parts = []
    for v in values:
        if v.kind in NUMERIC and v.number is not None and not s.figure:
            s.figure = fmt_number(v.number, v.decimals if v.kind == "number" else 0)
        why = flag(v)
        if why and not s.flagged:
            s.flagged = f"{v.label} {why}"
        if v.kind in MARKS:
            kinds.add(v.kind)
        if v.kind != "photo" or "photo" not in kinds_listed:
            kinds_listed.add(v.kind)
            parts.append(f"{v.label}：{display(v)}" + (f"（{why}）" if why else ""))
    s.marks = "".join(MARKS[k] for k in ("photo", "file", "minutes") if k in kinds)
    s.title = "；".join(parts)
    return s


def attendee_choices(position_id: int) -> list[tuple[int, str]]:
    """The active employees of a position, for a minutes field's attendee list."""
    return attendees_of([position_id]).get(position_id, [])


def attendees_of(position_ids) -> dict[int, list[tuple[int, str]]]:
    """(employee id, name) of the active employees per position, in one query."""
    out: dict[int, list[tuple[int, str]]] = {pid: [] for pid in position_ids}
    if not out:
        return out
    for e in db.session.execute(_attendees(), {"positions": sorted(out)}):
        out[e.position_id].append((e.id, e.name))
    return out


@statement
def _attendees():
    return (select(Employee.id, Employee.name, Employee.position_id)
            .where(Employee.position_id.in_(bindparam("positions", expanding=True)), Employee.active.is_(True))
            .order_by(Employee.name))


def preload_attendees(items) -> None:
    """For a page of rows: the attendee lists of every position whose items have a
    minutes field, in one query (the templates then read them from the request's memo)."""
    from flask import g, has_request_context

    ids = {i.position_id for i in items if any(f.active and f.kind == "minutes" for f in i.fields)}
    if ids and has_request_context():
        g.setdefault("ck_attendees", {}).update(attendees_of(ids))


def _faults(item, values) -> set[int]:
    """The ids of these values that are yes/no points answered 否 whose field is marked
    fault_on_no (举升机安全锁止有效？否)."""
    faulty = {f.id for f in item.fields if f.fault_on_no} if values else set()
    return {id(v) for v in values if v.kind == "yesno" and v.field_id in faulty and v.number == 0}


def fault_points(item, values) -> list[str]:
    """The labels of the points answered 否 that are faults: a failed check, which offers 报修."""
    faults = _faults(item, values)
    return [v.label for v in values if id(v) in faults]


def anomalies(item, values) -> list[str]:
    """What a check recorded that is not right, in the fields' order, as a supervisor
    must read it before confirming: a fault point answered 否 (液压/气路无渗漏 为“否”), a
    figure outside its field's range (胎压 低于下限 2.0). A figure short of its target (a
    month's 回厂率) is a result to read, flagged where it is shown, not a fault. Empty when
    all is well."""
    faults, out = _faults(item, values), []
    for v in values:
        if id(v) in faults:
            out.append(f"{v.label} 为“否”")
        elif why := _out_of_range(v):
            out.append(f"{v.label} {why}")
    return out
