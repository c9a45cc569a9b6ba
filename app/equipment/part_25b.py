"""What the second slice of the equipment part (issue 25b) hands to the part's
register(app), ready-made, for the lead to wire once the parts register themselves:

    from app.equipment import part_25b
    Part("equipment", ...,
         audit_labels={..., **part_25b.AUDIT_LABELS},
         workspace=(..., *part_25b.WORKSPACE_BLOCKS),
         notices=(..., *part_25b.NOTICES),
         demo=...)  # part_25b.demo(fresh) runs after the register's seed_equipment
    part_25b.install(app)  # the checklist engine's "each piece of equipment" target

Until then the target provider is installed when the blueprint is registered
(app/equipment/__init__.py)."""
from app.checklists import targets
import app.equipment.demo_checks as demo_checks
import app.equipment.due as due
import app.equipment.faults as faults
from app.equipment.checks import EquipmentTargets

AUDIT_LABELS = dict(faults.AUDIT_LABELS)
WORKSPACE_BLOCKS = due.WORKSPACE_BLOCKS
NOTICES = (due.send_notices,)  # fn(now) -> int: verification due 90/60/30 days and expired
demo = demo_checks.seed  # fn(fresh) -> list[str]


def install(app) -> None:
    targets.install(app, EquipmentTargets())
