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


DRAFT_NOTE = Note("参考草稿", "参考草稿，非原文档：本岗位职责采用了系统提供的参考草稿，尚未经本店修改")
ADOPT_NOTE = "采用参考草稿（非原文档）"  # the note of a revision that adopted a draft as it was


def from_draft(revision) -> bool:
    """The current text is a reference draft adopted unedited. Once admin edits and saves
    (in the same step or later), the text is the department's own and carries no mark."""
    return revision is not None and revision.note == ADOPT_NOTE


def duty_notes(text: str) -> list[Note]:
    return _shipped()[1].get(text, [])


LINE_NOTE = Note("推断", "原文档未写明此汇报关系，按职责推断")


def footnotes(position, duties, revision=None) -> list[str]:
    """The notes of a position as numbered footnote lines for the printed form; with the
    revision, a draft adopted unedited is said once."""
    out = [f"岗位职责：{DRAFT_NOTE.explanation}"] if from_draft(revision) else []
    note = title_note(position)
    if note:
        out.append(f"岗位名称：{note.explanation}")
    inferred = [line.superior.title for line in position.superior_lines if line.inferred]
    if inferred:
        out.append(f"直属上级“{'、'.join(inferred)}”：{LINE_NOTE.explanation}")
    for n, d in enumerate(duties, start=1):
        for note in duty_notes(d.text):
            out.append(f"职责{n}：{note.explanation}")
        for m, c in enumerate(d.items, start=1):
            for note in duty_notes(c.text):
                out.append(f"职责{n}({m})：{note.explanation}")
    return out
