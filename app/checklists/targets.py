"""Targets other than people: an item done once for each piece of equipment (each lift's
pre-use check). The checklist engine owns periods, ticks, self-checks and history; the
part that keeps the things (the equipment register) only says which things an item's
selection covers on which days, through a provider installed on the app:

    app.extensions["checklist_things"] = provider

with
    subjects_between(items, start, end) -> {item id: [(first day, last day or None, Subject)]}
        the things each item (target "equipment", selection item.scope) counted over the
        range, each with the days it counted (in use);
    subject_on(item, thing_id, day) -> Subject | None
        the one thing, if it counted on that day (a tick for it is refused otherwise);
    describe(scope) -> str   e.g. "举升设备 · 一号车间";
    scope_choices() -> {"category": [...], "location": [...]} for the item form.

No provider (an app without the register): such items have nothing to do.
"""
from flask import current_app

KEY = "checklist_things"


def provider():
    return current_app.extensions.get(KEY)


def install(app, thing_provider) -> None:
    app.extensions[KEY] = thing_provider


def describe(item) -> str:
    p = provider()
    return p.describe(item.scope) if p is not None else ""


def scope_choices() -> dict:
    p = provider()
    return p.scope_choices() if p is not None else {"category": [], "location": []}
