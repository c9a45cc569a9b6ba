"""车间设备、工具台账: the workshop's equipment and tools, their states, verifications
(检定/校准) and QR labels."""
from flask import Blueprint

from app.checklists import targets as checklist_targets

bp = Blueprint("equipment", __name__, url_prefix="/equipment")

from app.equipment import routes  # noqa: E402,F401
from app.equipment import fault_routes  # noqa: E402,F401  (issue 25b: faults, photo, checks)
from app.equipment.checks import EquipmentTargets  # noqa: E402


def _install_targets(state) -> None:
    """The checklist engine's items for each piece of equipment ask the register which
    pieces they cover (app/checklists/targets.py). To move into register(app) once the
    parts register themselves."""
    checklist_targets.install(state.app, EquipmentTargets())


bp.record_once(_install_targets)
