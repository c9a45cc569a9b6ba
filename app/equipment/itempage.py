"""What the item's page shows from the second slice (issue 25b): the photo form, the
faults (an open one with its repair form), the checks that cover it, the whole history."""
from app import clock
import app.equipment.checks as checks
import app.equipment.faults as faults
import app.equipment.history as history
from app.equipment.forms import PhotoForm, RepairForm
from app.equipment.models import IN_USE, Equipment


HISTORY_SHOWN = 10  # the newest entries of the history; the rest behind 显示全部


def item_context(item: Equipment, repair_forms: dict | None = None, photo_form=None,
                 history_of: str = "", history_all: bool = False) -> dict:
    """What the item's page shows from this slice: the photo form, the open and past
    faults (an open one with its repair form), the checks that cover it, the history:
    of one source (history_of, a key of history.SOURCES) or all, the newest HISTORY_SHOWN
    entries unless history_all (up to history.LIMIT per source)."""
    today = clock.local_now().date()
    forms = dict(repair_forms or {})
    fault_rows = faults.faults_of(item)
    for f in fault_rows:
        if f.state == "open" and f.id not in forms:
            forms[f.id] = RepairForm(formdata=None, repaired_on=today, outcome=IN_USE, prefix=f"r{f.id}")
    return {"faults": fault_rows, "repair_forms": forms, "photo_form": photo_form or PhotoForm(formdata=None),
            "checks": checks.checks_of(item), "check_states": checks.STATE_LABELS,
            **_history(item, history_of, history_all)}


def _history(item: Equipment, of: str, show_all: bool) -> dict:
    source = history.SOURCES.get(of)
    entries = history.history(item, [source[1]] if source else None)
    return {"history": entries if show_all else entries[:HISTORY_SHOWN], "history_total": len(entries),
            "history_of": of if source else "", "history_sources": history.SOURCES}
