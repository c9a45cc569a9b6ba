"""Reference drafts (参考草稿) for the positions whose duties the department's document
does not give: data/drafts.yaml, kept apart from the document's text.

A draft is offered to handbook editors only, while its position has no duties. Adopting it
saves its duties as the position's next revision (with author and time, through the
ordinary editor, so history, audit and read confirmations work as for any edit) and adds
its checklist items. Employees never see a draft before it is adopted; adopted text keeps
the mark "参考草稿，非原文档" (see provenance.py) while it is unchanged.
"""
from dataclasses import dataclass
from functools import lru_cache

from blinker import Namespace

import yaml

from app.audit.log import record
from app.handbook.editing import DutyRow, PositionInput, save_position
from app.handbook.models import PositionRevision
from app.handbook.provenance import ADOPT_NOTE
from app.handbook.revisions import current_revision, duties_of
from app.handbook.seed import DATA
from app.org.models import Position

MARK = "参考草稿，非原文档"


# A draft's checklist items are the checklist part's business: adopting a draft sends its
# entries (sender: the position) and the part that keeps checklists adds them, returning
# how many (the checklist part connects in its register()).
draft_checklist = Namespace().signal("draft-checklist")


@dataclass(frozen=True)
class Draft:
    key: str
    duties: tuple[str, ...]
    checklist: tuple[dict, ...]


@lru_cache(maxsize=1)
def _drafts() -> dict[str, Draft]:
    with open(DATA / "drafts.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)["positions"]
    return {
        key: Draft(key, tuple(entry["duties"]),
                   tuple({**item, "position": key} for item in entry.get("checklist", [])))
        for key, entry in data.items()
    }


def draft_texts() -> frozenset[str]:
    """Every duty text of every draft (for the provenance marks)."""
    return frozenset(t for d in _drafts().values() for t in d.duties)


def draft_for(position: Position) -> Draft | None:
    """The draft on offer for this position: it has one and has no duties yet."""
    draft = _drafts().get(position.seed_key or "")
    if draft is None or duties_of(position):
        return None
    return draft


class AdoptError(ValueError):
    pass


def _input(position: Position, texts: list[str], base_revision: int) -> PositionInput:
    return PositionInput(
        title=position.title, department=position.department, is_external=position.is_external,
        superior_ids={p.id for p in position.superiors}, subordinate_ids={p.id for p in position.subordinates},
        duties=[DutyRow(id=None, text=t, order=n) for n, t in enumerate(texts, start=1)],
        base_revision=base_revision, note=ADOPT_NOTE,
    )


def adopt(position: Position, author, base_revision: int) -> PositionRevision:
    """Saves the draft as the position's next revision and adds its checklist items.
    Raises AdoptError when there is no draft on offer (already adopted, or the position
    has duties), editing.Conflict when someone saved in between."""
    draft = draft_for(position)
    if draft is None:
        raise AdoptError("该岗位已有职责，参考草稿不再适用。")
    if base_number(position) != base_revision:
        raise AdoptError("在您查看期间该岗位已被他人修改，请查看最新内容后再决定。")
    revision = save_position(position, _input(position, list(draft.duties), base_revision), author)
    draft_checklist.send(position, entries=list(draft.checklist))
    record("position_draft_adopted", "position", position.id,
           summary=f"「{position.title}」采用参考草稿，生成第 {revision.number} 版")
    return revision


def add_checklist_after_edit(position: Position) -> int:
    """After an editor saved a draft they had edited first: the draft's checklist items
    whose duty is still there (matched by text) are added, linked to it; the others are
    added without a duty link."""
    draft = _drafts().get(position.seed_key or "")
    if draft is None:
        return 0
    by_text = {d.text: n for n, d in enumerate(duties_of(position), start=1)}
    entries = []
    for item in draft.checklist:
        ref = item.get("duty")
        text = draft.duties[int(ref) - 1] if ref else None
        entries.append({**item, "duty": str(by_text[text]) if text in by_text else None})
    return sum(added for _, added in draft_checklist.send(position, entries=entries))


def base_number(position: Position) -> int:
    revision = current_revision(position)
    return revision.number if revision else 0
