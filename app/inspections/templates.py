"""Templates as data: the shipped examples (data/templates.yaml), the areas, versions.

A version's content is a snapshot (sections and items as JSON) that never changes once
written: editing a template writes a new version, and an inspection keeps the version it
was started with. Retiring a template stops new inspections; nothing is deleted."""
import copy
import os
from dataclasses import dataclass
from functools import lru_cache

import yaml
from flask import g
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.audit.log import record
from app.extensions import db
from app.inspections.errors import Refused
from app.inspections.models import InspectionTemplate, TemplateVersion

DATA = os.path.join(os.path.dirname(__file__), "data", "templates.yaml")
TYPES = {"pass_fail": "合格/不合格/不适用", "score": "评分", "yes_no": "是/否", "number": "数值（目标值）"}
KINDS = {"5s": "5S检查", "audit": "厂家审核自查", "safety": "安全检查"}
MAX_WEIGHT = 10
MAX_QUESTION = 300  # characters of an item's question


@lru_cache(maxsize=1)
def shipped() -> dict:
    with open(DATA, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    position_ids: frozenset


def areas() -> dict[str, Area]:
    """The areas from the data file, their positions resolved to ids (once per request)."""
    if "inspection_areas" in g:
        return g.inspection_areas
    from app.org.models import ordered_positions

    ids = {p.seed_key: p.id for p in ordered_positions(include_inactive=True) if p.seed_key is not None}
    found = {a["key"]: Area(a["key"], a["name"], frozenset(ids[k] for k in a.get("positions", []) if k in ids))
             for a in shipped()["areas"]}
    g.inspection_areas = found
    return found


def area(key: str) -> Area | None:
    return areas().get(key)


def _normalise_item(raw: dict) -> dict:
    item = {"key": str(raw["key"]), "question": str(raw["question"]).strip(), "type": raw.get("type", "pass_fail"),
            "weight": raw.get("weight", 1), "photo_on_fail": bool(raw.get("photo_on_fail")),
            "note_on_fail": bool(raw.get("note_on_fail")), "guidance": str(raw.get("guidance", "") or ""),
            "records": str(raw.get("records", "") or ""), "na": bool(raw.get("na", True))}
    if item["type"] not in TYPES:
        raise ValueError(f"unknown item type {item['type']!r}")
    if item["type"] == "score":
        item["min"], item["max"] = int(raw.get("min", 1)), int(raw.get("max", 5))
        item["pass_min"] = int(raw.get("pass_min", (item["min"] + item["max"] + 1) // 2))
    elif item["type"] == "yes_no":
        item["good"] = "no" if raw.get("good") in ("no", False) else "yes"
    elif item["type"] == "number":
        item["target"] = float(raw["target"])
        item["target_dir"] = raw.get("target_dir", "ge")
        item["unit"] = str(raw.get("unit", "") or "")
        for bound in ("low", "high"):  # what a reading can be at all (a room's temperature): beyond, a typo
            if raw.get(bound) is not None:
                item[bound] = float(raw[bound])
    return item


def content_of(raw: dict) -> dict:
    return {"sections": [{"title": s["title"], "items": [_normalise_item(i) for i in s["items"]]}
                         for s in raw["sections"]], "areas": list(raw.get("areas", []))}


def load_shipped(user=None) -> list[InspectionTemplate]:
    """The shipped templates whose key is not in the database yet, each as version 1;
    an edited or retired one is left as it is."""
    have = set(db.session.scalars(select(InspectionTemplate.key).where(InspectionTemplate.key.is_not(None))))
    made = []
    for raw in shipped()["templates"]:
        if raw["key"] in have:
            continue
        t = InspectionTemplate(key=raw["key"], name=raw["name"], kind=raw.get("kind", "5s"), example=True)
        db.session.add(t)
        db.session.flush()
        db.session.add(TemplateVersion(template_id=t.id, number=1, name=raw["name"], pass_mark=int(raw["pass_mark"]),
                                       content=content_of(raw), note="随系统提供的示例模板，请按本店实际修改",
                                       created_by_id=getattr(user, "id", None)))
        db.session.flush()
        record("inspection_template_create", "inspection_template", t.id, summary=f"载入示例模板 {t.name}", user=user)
        made.append(t)
    return made


def active_templates() -> list[InspectionTemplate]:
    return list(db.session.scalars(select(InspectionTemplate).where(InspectionTemplate.active.is_(True))
                                   .options(selectinload(InspectionTemplate.versions))
                                   .order_by(InspectionTemplate.id)))


def template_areas(version: TemplateVersion) -> list[Area]:
    """The areas a version is meant for (all areas when it names none)."""
    keys = version.content.get("areas") or list(areas())
    return [areas()[k] for k in keys if k in areas()]


NEW_TYPES = {"pass_fail": TYPES["pass_fail"], "score": "评分（1–5 分，3 分及以上为合格）", "yes_no": "是/否（“是”为合格）",
             "number": TYPES["number"]}
TARGET_DIRS = {"ge": "不低于目标值为合格", "le": "不高于目标值为合格"}


def _used_keys(template: InspectionTemplate) -> set[str]:
    """Every item key any version of the template ever had: a new item never takes the key
    of a removed one (answers, photos and actions are stored by key)."""
    return {i["key"] for v in db.session.scalars(select(TemplateVersion).filter_by(template_id=template.id))
            for i in v.items()}


def _weight_ok(weight) -> bool:
    """An item's weight, as the editor checks it for a changed item and a new one."""
    return isinstance(weight, (int, float)) and 0 < weight <= MAX_WEIGHT


def _new_item(template: InspectionTemplate, content: dict, raw: dict) -> None:
    """Adds one item to `content` (a section by index, or a new section by title)."""
    question = (raw.get("question") or "").strip()
    if not question:
        raise Refused("请填写新增项目的问题。", "new_question")
    if len(question) > MAX_QUESTION:
        raise Refused(f"新增项目的问题不能超过 {MAX_QUESTION} 个字。", "new_question")
    kind = raw.get("type") or "pass_fail"
    if kind not in NEW_TYPES:
        raise Refused("请选择新增项目的类型。", "new_type")
    weight = raw.get("weight")
    if not _weight_ok(weight):
        raise Refused(f"新增项目的权重应大于 0 且不超过 {MAX_WEIGHT}。", "new_weight")
    item = {"question": question, "type": kind, "weight": weight, "photo_on_fail": bool(raw.get("photo_on_fail")),
            "note_on_fail": bool(raw.get("note_on_fail")), "guidance": (raw.get("guidance") or "").strip()[:300],
            "records": "", "na": True}
    if kind == "number":
        if raw.get("target") is None:
            raise Refused("数值项目请填写目标值。", "new_target")
        item["target"] = raw["target"]
        item["target_dir"] = raw.get("target_dir") if raw.get("target_dir") in TARGET_DIRS else "ge"
        item["unit"] = (raw.get("unit") or "").strip()[:10]
    used = _used_keys(template)
    n = len(used) + 1
    while f"n{n}" in used:
        n += 1
    normalised = _normalise_item({**item, "key": f"n{n}"})
    title = (raw.get("new_section") or "").strip()[:40]
    if title:
        content["sections"].append({"title": title, "items": [normalised]})
        return
    index = raw.get("section")
    if not isinstance(index, int) or not 0 <= index < len(content["sections"]):
        raise Refused("请选择新增项目所在的分组，或填写新分组名称。", "new_section")
    content["sections"][index]["items"].append(normalised)


def new_version(template: InspectionTemplate, edits: dict, user) -> TemplateVersion:
    """A new version from the current one with `edits`: {"name", "pass_mark", "note",
    "items": {key: {"question", "weight", "photo_on_fail", "note_on_fail", "guidance"}},
    "remove": {key, …}, "add": {"question", "type", "weight", "section" (index) or
    "new_section" (title), "target", "target_dir", "unit", …} or None}. A removed item is
    only left out of the new version: the inspections of earlier versions keep it with
    their answers, photos and actions. Checks everything before writing anything."""
    current = template.current
    name = (edits.get("name") or "").strip()
    if not name:
        raise Refused("请填写模板名称。", "name")
    if len(name) > 80:
        raise Refused("模板名称不能超过 80 个字。", "name")
    pass_mark = edits.get("pass_mark")
    if not isinstance(pass_mark, int) or not 0 <= pass_mark <= 100:
        raise Refused("合格线应为 0 到 100 之间的整数（百分制）。", "pass_mark")
    content = copy.deepcopy(current.content)
    remove = set(edits.get("remove") or ()) & {i["key"] for i in current.items()}
    bad = []
    for item in (i for s in content["sections"] for i in s["items"]):
        change = edits.get("items", {}).get(item["key"])
        if change is None or item["key"] in remove:
            continue
        question = (change.get("question") or "").strip()
        weight = change.get("weight")
        if not question or len(question) > MAX_QUESTION or not _weight_ok(weight):
            bad.append(item)
            continue
        item.update(question=question, weight=weight, photo_on_fail=bool(change.get("photo_on_fail")),
                    note_on_fail=bool(change.get("note_on_fail")), guidance=(change.get("guidance") or "").strip()[:300])
    if bad:
        raise Refused("以下项目的内容或权重有误（问题不能为空，权重应大于 0 且不超过 10）："
                      + "；".join(i["question"][:30] for i in bad), "items", items=[i["key"] for i in bad])
    if remove:
        content["sections"] = [{**s, "items": [i for i in s["items"] if i["key"] not in remove]}
                               for s in content["sections"]]
        content["sections"] = [s for s in content["sections"] if s["items"]]
    if edits.get("add"):
        _new_item(template, content, edits["add"])
    if not any(s["items"] for s in content["sections"]):
        raise Refused("模板至少要保留一个检查项目；不再使用整个模板请将其停用。", "items", items=sorted(remove))
    if content == current.content and name == current.name and pass_mark == current.pass_mark:
        raise Refused("没有改动，未生成新版本。", None, 409)
    number = (db.session.scalar(select(func.max(TemplateVersion.number)).filter_by(template_id=template.id)) or 0) + 1
    version = TemplateVersion(template_id=template.id, number=number, name=name, pass_mark=pass_mark, content=content,
                              note=(edits.get("note") or "").strip()[:300], created_by_id=getattr(user, "id", None))
    db.session.add(version)
    template.name = name
    db.session.flush()
    db.session.expire(template, ["versions"])
    old_keys, new_keys = {i["key"] for i in current.items()}, {i["key"] for i in version.items()}
    added = [i["question"] for i in version.items() if i["key"] not in old_keys]
    removed = [i["question"] for i in current.items() if i["key"] not in new_keys]
    record("inspection_template_version", "inspection_template", template.id,
           summary=f"{name} 第 {number} 版" + (f"，新增 {len(added)} 项" if added else "")
           + (f"，移除 {len(removed)} 项" if removed else ""),
           before={"version": current.number, "pass_mark": current.pass_mark},
           after={"version": number, "pass_mark": pass_mark, "added": added or None, "removed": removed or None},
           user=user)
    return version


def set_active(template: InspectionTemplate, active: bool, user) -> None:
    if template.active == active:
        raise Refused("模板已是该状态。", None, 409)
    template.active = active
    db.session.flush()
    record("inspection_template_active", "inspection_template", template.id,
           summary=f"{template.name} {'恢复使用' if active else '停用'}", user=user)
