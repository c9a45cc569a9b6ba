"""What the item's page shows from the second slice (issue 25b): the photo form, the
faults (an open one with its repair form), the checks that cover it, the whole history."""
from app import clock
import app.equipment.checks as checks
import app.equipment.faults as faults
import app.equipment.history as history
from app.equipment.forms import PhotoForm, RepairForm
from app.equipment.models import IN_USE, Equipment


def item_context(item: Equipment, repair_forms: dict | None = None, photo_form=None) -> dict:
    """What the item's page shows from this slice: the photo form, the open and past
    faults (an open one with its repair form), the checks that cover it, the history."""
    today = clock.local_now().date()
    forms = dict(repair_forms or {})
    fault_rows = faults.faults_of(item)
    for f in fault_rows:
        if f.state == "open" and f.id not in forms:
            forms[f.id] = RepairForm(formdata=None, repaired_on=today, outcome=IN_USE, prefix=f"r{f.id}")
    return {"faults": fault_rows, "repair_forms": forms, "photo_form": photo_form or PhotoForm(formdata=None),
            "checks": checks.checks_of(item), "check_states": checks.STATE_LABELS,
            "history": history.history(item)[:300]}
