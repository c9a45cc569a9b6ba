"""What the app inferred or mended in the shipped handbook, so a reader can tell the
document's words from the app's: inferred titles, inferred reporting lines, fixes of scan
errors (KPl → KPI) and text mended across page breaks. Read from data/handbook.yaml; a note
holds only while the text it is about is still the shipped text (an edit by admin makes
the words the department's own)."""
from dataclasses import dataclass
from functools import lru_cache

import yaml

from app.handbook.seed import DATA


@dataclass(frozen=True)
class Note:
    mark: str         # the short mark shown beside the text: 推断 / 校正 / 接续
    explanation: str  # shown on hover or tap, and in the printed footnote


@lru_cache(maxsize=1)
def _shipped() -> tuple[dict, dict]:
    """({position key: (title, title note)}, {duty text: [notes]}) from the data file."""
    with open(DATA / "handbook.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    titles, duties = {}, {}

    def walk(entries):
        for entry in entries or []:
            if isinstance(entry, dict):
                notes = [Note("校正", f"扫描错误校正：{fix}") for fix in entry.get("fixes", [])]
                if entry.get("mended"):
                    notes.append(Note("接续", entry["mended"]))
                if notes:
                    duties[entry["text"]] = notes
                walk(entry.get("items"))

    for p in data["positions"]:
        if p.get("title_inferred"):
            titles[p["key"]] = (p["title"], Note("推断", "原文档未写此岗位名称，名称按职责推断：" + p.get("source_text", "")))
        walk(p.get("duties"))
    return titles, duties


def title_note(position) -> Note | None:
    shipped = _shipped()[0].get(position.seed_key or "")
    return shipped[1] if shipped and shipped[0] == position.title else None


DRAFT_NOTE = Note("参考草稿", "参考草稿，非原文档：本条来自系统提供的参考草稿，由管理员采用")


def duty_notes(text: str) -> list[Note]:
    from app.handbook.drafts import draft_texts

    if text in draft_texts():
        return [DRAFT_NOTE]
    return _shipped()[1].get(text, [])


LINE_NOTE = Note("推断", "原文档未写明此汇报关系，按职责推断")


def footnotes(position, duties) -> list[str]:
    """The notes of a position as numbered footnote lines for the printed form."""
    out = []
    note = title_note(position)
    if note:
        out.append(f"岗位名称：{note.explanation}")
    inferred = [line.superior.title for line in position.superior_lines if line.inferred]
    if inferred:
        out.append(f"直属上级“{'、'.join(inferred)}”：{LINE_NOTE.explanation}")
    drafted = []
    for n, d in enumerate(duties, start=1):
        for note in duty_notes(d.text):
            if note is DRAFT_NOTE:
                drafted.append(str(n))
            else:
                out.append(f"职责{n}：{note.explanation}")
        for m, c in enumerate(d.items, start=1):
            for note in duty_notes(c.text):
                out.append(f"职责{n}({m})：{note.explanation}")
    if drafted:
        out.append(f"职责{'、'.join(drafted)}：{DRAFT_NOTE.explanation}")
    return out
