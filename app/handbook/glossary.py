"""The glossary: marking terms in duty text, and editing terms."""
import re
from functools import lru_cache

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


def _version() -> tuple:
    """The glossary's current content itself (id, term, aliases, explanation of each active
    term), read once per request: the key of the matcher and the marked texts below, so
    they can never be older than the terms, whoever changed them and however."""
    if "_glossary_version" not in g:
        g._glossary_version = tuple(tuple(row) for row in db.session.execute(
            select(GlossaryTerm.id, GlossaryTerm.term, GlossaryTerm.aliases, GlossaryTerm.explanation)
            .where(GlossaryTerm.active.is_(True)).order_by(GlossaryTerm.term)))
    return g._glossary_version


@lru_cache(maxsize=8)
def _matcher(version: tuple):
    """(compiled regex, form -> (term, explanation, id)) for a glossary content, built once
    per process and content. Longest form wins."""
    forms: dict[str, tuple[str, str, int]] = {}
    for term_id, term, aliases, explanation in version:
        for form in [term] + [a.strip() for a in (aliases or "").split("|") if a.strip()]:
            forms.setdefault(form, (term, explanation, term_id))
    pattern = re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))) if forms else None
    return pattern, forms


@lru_cache(maxsize=4096)
def _marked(version: tuple, text: str) -> Markup:
    pattern, forms = _matcher(version)
    if pattern is None:
        return escape(text)
    out, pos = [], 0
    for m in pattern.finditer(text):
        name, explanation, term_id = forms[m.group(0)]
        out.append(escape(text[pos:m.start()]))
        out.append(
            Markup('<dfn class="term" tabindex="0" title="{t}：{e}" data-term="{id}">{w}'
                   '<span class="term-tip" role="tooltip"><strong>{t}</strong>{e}</span></dfn>').format(
                t=name, e=explanation, id=term_id, w=m.group(0)
            )
        )
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def mark_terms(text: str) -> Markup:
    """Escape `text` and wrap each glossary term in a focusable <dfn> with its explanation
    (shown on hover, and on tap through :focus). Memoised per glossary content and text, so
    a duty is marked once, not on every page view."""
    if not text:
        return Markup("")
    return _marked(_version(), str(text))


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
