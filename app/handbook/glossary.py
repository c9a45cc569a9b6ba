"""The glossary: marking terms in duty text, and editing terms."""
import re

from flask import g
from markupsafe import Markup, escape
from sqlalchemy import select

from app.audit.log import record, record_changes
from app.extensions import db
from app.handbook.models import GlossaryTerm


class GlossaryError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def active_terms() -> list[GlossaryTerm]:
    return list(db.session.scalars(select(GlossaryTerm).where(GlossaryTerm.active.is_(True)).order_by(GlossaryTerm.term)))


def _matcher():
    """(compiled regex, form -> term), cached for the request. Longest form wins."""
    if "_glossary" not in g:
        forms: dict[str, GlossaryTerm] = {}
        for term in active_terms():
            for form in term.forms:
                forms.setdefault(form, term)
        if forms:
            pattern = re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))
        else:
            pattern = None
        g._glossary = (pattern, forms)
    return g._glossary


def mark_terms(text: str) -> Markup:
    """Escape `text` and wrap each glossary term in a focusable <dfn> with its explanation
    (shown on hover, and on tap through :focus)."""
    pattern, forms = _matcher()
    if not text:
        return Markup("")
    if pattern is None:
        return escape(text)
    out, pos = [], 0
    for m in pattern.finditer(text):
        term = forms[m.group(0)]
        out.append(escape(text[pos:m.start()]))
        out.append(
            Markup('<dfn class="term" tabindex="0" title="{t}：{e}" data-term="{id}">{w}'
                   '<span class="term-tip" role="tooltip"><strong>{t}</strong>{e}</span></dfn>').format(
                t=term.term, e=term.explanation, id=term.id, w=m.group(0)
            )
        )
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def _clean_aliases(aliases: str) -> str:
    parts = [a.strip() for a in re.split(r"[|｜,，、\n]", aliases or "") if a.strip()]
    return "|".join(dict.fromkeys(parts))


def save_term(term: GlossaryTerm | None, name: str, aliases: str, explanation: str, active: bool = True) -> GlossaryTerm:
    name, explanation = name.strip(), explanation.strip()
    if not name:
        raise GlossaryError("term", "请填写术语。")
    if len(name) > 60:
        raise GlossaryError("term", "术语最多60字。")
    if not explanation:
        raise GlossaryError("explanation", "请填写解释。")
    other = db.session.scalar(select(GlossaryTerm).where(GlossaryTerm.term == name))
    if other is not None and other is not term:
        raise GlossaryError("term", f"术语「{name}」已存在。")
    if term is None:
        term = GlossaryTerm(term=name, aliases=_clean_aliases(aliases), explanation=explanation, active=active)
        db.session.add(term)
        db.session.flush()
        record("glossary_create", "glossary", term.id, summary=name, after=term.snapshot())
        return term
    before = term.snapshot()
    term.term, term.aliases, term.explanation, term.active = name, _clean_aliases(aliases), explanation, active
    db.session.flush()
    record_changes("glossary_update", "glossary", term.id, before, term.snapshot(), summary=name)
    return term
