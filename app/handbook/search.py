"""Chinese substring search over position titles, duties and the glossary."""
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.handbook.models import Duty, GlossaryTerm
from app.org.models import Position

MAX_QUERY = 50
LIMIT = 50


@dataclass
class Hit:
    kind: str  # "position", "duty", "term"
    title: str
    text: str
    position_id: int | None = None
    duty_id: int | None = None
    number: str = ""
    term_id: int | None = None


def like_pattern(q: str) -> str:
    """A LIKE pattern matching q literally (%, _ and \\ escaped with \\)."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def highlight(text: str, q: str) -> Markup:
    """Escape text and wrap each case-insensitive occurrence of q in <mark>."""
    if not q:
        return escape(text)
    lower, ql = text.lower(), q.lower()
    out, pos = [], 0
    while True:
        i = lower.find(ql, pos)
        if i < 0:
            break
        out.append(escape(text[pos:i]))
        out.append(Markup("<mark>%s</mark>") % text[i:i + len(q)])
        pos = i + len(q)
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def _numbering(position_ids: set[int]) -> dict[int, str]:
    """duty id -> "3" or "1(2)", as shown in the handbook."""
    numbers: dict[int, str] = {}
    if not position_ids:
        return numbers
    duties = db.session.scalars(
        select(Duty).where(Duty.position_id.in_(position_ids), Duty.active.is_(True)).order_by(Duty.sort_order, Duty.id)
    ).all()
    tops: dict[int, list[Duty]] = {}
    children: dict[int, list[Duty]] = {}
    for d in duties:  # sub-items from the same query, not one query per duty
        if d.parent_id is None:
            tops.setdefault(d.position_id, []).append(d)
        else:
            children.setdefault(d.parent_id, []).append(d)
    for plist in tops.values():
        for n, d in enumerate(plist, start=1):
            numbers[d.id] = str(n)
            for m, c in enumerate(children.get(d.id, []), start=1):
                numbers[c.id] = f"{n}({m})"
    return numbers


def search(q: str) -> list[Hit]:
    q = (q or "").strip()[:MAX_QUERY]
    if not q:
        return []
    pattern = like_pattern(q)
    hits: list[Hit] = []
    for p in db.session.scalars(
        select(Position).where(Position.active.is_(True), Position.title.ilike(pattern, escape="\\")).order_by(Position.sort_order)
    ):
        hits.append(Hit("position", p.title, p.department, position_id=p.id))
    duties = db.session.scalars(
        select(Duty).join(Position)
        .where(Duty.active.is_(True), Position.active.is_(True), Duty.text.ilike(pattern, escape="\\"))
        .order_by(Position.sort_order, Duty.sort_order).limit(LIMIT).options(contains_eager(Duty.position))
    ).all()
    numbers = _numbering({d.position_id for d in duties})
    for d in duties:
        hits.append(Hit("duty", d.position.title, d.text, position_id=d.position_id, duty_id=d.id,
                        number=numbers.get(d.id, "")))
    for t in db.session.scalars(
        select(GlossaryTerm).where(
            GlossaryTerm.active.is_(True),
            or_(GlossaryTerm.term.ilike(pattern, escape="\\"), GlossaryTerm.aliases.ilike(pattern, escape="\\"),
                GlossaryTerm.explanation.ilike(pattern, escape="\\")),
        ).order_by(GlossaryTerm.term).limit(LIMIT)
    ):
        hits.append(Hit("term", t.term, t.explanation, term_id=t.id))
    return hits
