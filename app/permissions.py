"""Who may see, tick and edit what, decided from the org chart. The one place for it.

- admin may do everything;
- a user supervises the positions below their own position (directly or further down);
- clerks hold capabilities (record trainings, issue supplies) granted by admin;
- a plain employee reads and acknowledges, and changes nothing.
Routes call these and abort(403); templates use them only to hide buttons.
"""
from dataclasses import dataclass
from functools import wraps

from flask import abort, g
from flask_login import current_user

from app.org.chart import positions_below


def supervised_position_ids(user) -> set[int]:
    """Ids of the positions this user supervises (cached for the request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache = g.setdefault("_supervised", {})
    if user.id not in cache:
        position = user.position
        cache[user.id] = positions_below(position.id) if position else set()
    return cache[user.id]


def supervises(user, position) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    pid = position if isinstance(position, int) else position.id
    return pid in supervised_position_ids(user)


def supervising_position_ids(position, edges=None) -> set[int]:
    """The list form of supervises() for one position: the ids of the positions whose
    holders supervise it (those it lies below, directly or further down). Admin supervises
    it too, whatever he holds; see stands_in_for_supervisors."""
    from app.org.chart import _edges

    edges = _edges() if edges is None else edges
    return {pid for pid in edges if position.id in positions_below(pid, edges)}


def stands_in_for_supervisors(user) -> bool:
    """Who is told what a position's supervisors are told when no account holds a position
    above it (the top of the chart, a vacancy): admin, who supervises every position."""
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


def is_supervisor(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_admin or bool(supervised_position_ids(user))
    )


def holds_position(user, position) -> bool:
    """The user is an active employee in this position (a position or its id)."""
    own = getattr(user, "position", None)
    pid = position if isinstance(position, int) else position.id
    return own is not None and own.id == pid


def may_confirm_reading(user, position) -> bool:
    """我已阅读并理解: only the position's own active employees confirm its duties."""
    return bool(getattr(user, "is_authenticated", False)) and holds_position(user, position)


def can_manage_accounts(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


def can_manage_staff(user) -> bool:
    return can_manage_accounts(user)


def can_edit_org(user) -> bool:
    return can_manage_accounts(user)


def may_view_position(user, position) -> bool:
    """A position's handbook page: everyone while it is active; a retired one only those
    who edit the org chart."""
    return position.active or can_edit_org(user)


def can_record_trainings(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_admin or user.can_record_trainings
    )


def can_issue_supplies(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_admin or user.can_issue_supplies
    )


def can_manage_equipment(user) -> bool:
    """The equipment and tool register (entering, editing, state changes, verifications):
    admin and holders of the capability 可管理设备 (the 车间文员, the workshop manager). A
    capability of its own rather than the supply one: the 售后内勤 issues supplies but does
    not keep the workshop's equipment."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_admin or user.can_manage_equipment
    )


def sees_workshop_equipment(user, keepers_positions) -> bool:
    """Shown what needs the workshop's equipment in 我的工作台 (open faults, verifications
    due, overdue loans): who keeps the register, and whoever supervises the position of
    someone who keeps it (the 售后经理, above the 车间主任 and the 车间文员), read only.
    `keepers_positions()`: the positions of the active keepers (asked only when needed)."""
    if can_manage_equipment(user):
        return True
    supervised = supervised_position_ids(user)
    return bool(supervised and supervised & keepers_positions())


def may_view_equipment(user) -> bool:
    """Every logged-in employee sees the register: technicians look up the lift or the
    aligner they use, and its verification."""
    return bool(getattr(user, "is_authenticated", False))


def may_report_fault(user, item) -> bool:
    """故障报修: anyone logged in (the technician at the lift), on any item not scrapped."""
    return bool(getattr(user, "is_authenticated", False)) and item.state != "scrapped"


def may_record_repair(user, item) -> bool:
    """The repair of a fault (and the item back to 在用, or scrapped): the item's
    responsible person and the equipment managers."""
    if not getattr(user, "is_authenticated", False):
        return False
    return can_manage_equipment(user) or (item.responsible_id is not None and
                                          item.responsible_id == getattr(user, "employee_id", None))


def may_set_equipment_photo(user, item) -> bool:
    """The item's photo: its responsible person and the equipment managers."""
    return may_record_repair(user, item)


def supervises_employee(user, employee) -> bool:
    """The user supervises the employee's position (admin supervises all)."""
    return employee is not None and employee.position is not None and supervises(user, employee.position)


def can_see_assessment(user, attendee) -> bool:
    """A trainee's score: the trainee, their supervisors, training clerks and admin."""
    employee = attendee.employee
    return can_record_trainings(user) or (employee is not None and (
        user.employee_id == employee.id or supervises_employee(user, employee)))


def may_view_coverage(user) -> bool:
    """The coverage matrix, what expires and the new hires: the training clerk,
    supervisors and admin."""
    return can_record_trainings(user) or is_supervisor(user)


def may_view_employee(user, employee) -> bool:
    """One employee's required trainings, certificates and onboarding: the person, the
    supervisors of their position, the training clerk and admin."""
    own = getattr(user, "employee", None)
    return may_view_coverage(user) and (can_record_trainings(user) or user.is_admin or
                                        supervises_employee(user, employee)) or (
        own is not None and own.id == employee.id)


def may_see_employee_details(user, employee) -> bool:
    """An employee's phone, hire date, sizes, login name and records (trainings with their
    results, supplies received, required trainings): the person, the supervisors of their
    position, staff admin and the clerks who work with them (trainings, supplies). A plain
    colleague sees the name, the number and the position, nothing more."""
    if employee is None or not getattr(user, "is_authenticated", False):
        return False
    return (user.employee_id == employee.id or can_manage_staff(user) or can_record_trainings(user)
            or can_issue_supplies(user) or supervises_employee(user, employee))


def may_see_colleagues_details(user) -> bool:
    """The staff list's phone and hire-date columns: those who may see other people's
    details (may_see_employee_details decides each row): supervisors, the clerks, admin."""
    return is_supervisor(user) or can_record_trainings(user) or can_issue_supplies(user)


def may_see_all_assessments(user, training) -> bool:
    """Every attendee's score and feedback of a session (the pass rate too): training
    clerks, admin, and supervisors of every position among its attendees."""
    if can_record_trainings(user):
        return True
    return bool(training.attendees) and is_supervisor(user) and all(
        supervises_employee(user, a.employee) for a in training.attendees)


def may_see_training_files(user, training, kind: str) -> bool:
    """A session's photos: everyone. Its scanned sign-in sheets (signatures): the training
    clerks, admin and the supervisors of its attendees. Its materials: those, and the
    attendees themselves."""
    if not getattr(user, "is_authenticated", False):
        return False
    if kind == "photo" or can_record_trainings(user):
        return True
    if any(supervises_employee(user, a.employee) for a in training.attendees):
        return True
    return kind == "material" and user.employee_id is not None and any(
        a.employee_id == user.employee_id for a in training.attendees)


def may_mark_onboarding_step(user, employee) -> bool:
    """A step the app cannot tell itself (师傅带教, 安全告知): the training clerk or a
    supervisor of the employee's position."""
    return can_record_trainings(user) or supervises_employee(user, employee)


def may_sign_off_onboarding(user, employee) -> bool:
    """上岗确认 of a new hire: the supervisors of the employee's position (admin too)."""
    return supervises_employee(user, employee)


def may_restore_training_files(user) -> bool:
    """A deleted photo, scan or material: only admin sees it (显示已删除文件) and restores it."""
    return can_manage_accounts(user)


def may_view_checklist(user, position) -> bool:
    """A position's checklist (board, month grid, results, photos): admin, its supervisors
    and its holders."""
    return user.is_admin or position.id in supervised_position_ids(user) or holds_position(user, position)


def may_see_supplies_of(user, employee) -> bool:
    """What an employee received (slips, per-person history): supply clerks, the person,
    the supervisors of the position."""
    return can_issue_supplies(user) or user.employee_id == employee.id or supervises_employee(user, employee)


def may_decide_requisition(user, req) -> bool:
    """Approve or reject a requisition: admin and the supervisors of the person's position."""
    return user.is_admin or supervises_employee(user, req.employee)


def may_see_requisition(user, req) -> bool:
    return can_issue_supplies(user) or user.employee_id == req.employee_id or may_decide_requisition(user, req)


def may_submit_requisition(user) -> bool:
    """我要申领: an account linked to an employee (the requisition is that person's)."""
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "employee", None) is not None


def may_withdraw_requisition(user, req) -> bool:
    """The person who asked (or for whom it was asked) may withdraw it while it is pending."""
    return req.status == "pending" and (user.id == req.requested_by_id or
                                        (user.employee_id is not None and user.employee_id == req.employee_id))


def may_see_requisition_context(user, req) -> bool:
    """What the person may get and got lately, beside a requisition: whoever decides or
    issues it."""
    return may_decide_requisition(user, req) or can_issue_supplies(user)


@dataclass(frozen=True)
class Reach:
    """Whose records a user reaches, for a list query: everyone's, or those of these
    employees and of the employees in these positions; never those of `except_employee_id`."""
    everyone: bool = False
    employee_ids: frozenset = frozenset()
    position_ids: frozenset = frozenset()
    except_employee_id: int | None = None


def requisitions_visible_to(user) -> Reach:
    """All for a supply clerk and admin; else the user's own and those of the employees in
    the positions he supervises (the list form of may_see_requisition)."""
    if can_issue_supplies(user) or user.is_admin:
        return Reach(everyone=True)
    return Reach(employee_ids=frozenset({user.employee_id} if user.employee_id else ()),
                 position_ids=frozenset(supervised_position_ids(user)))


def requisitions_decidable_by(user) -> Reach:
    """Admin all, a supervisor those of the positions he supervises; never his own (the
    list form of may_decide_requisition)."""
    if user.is_admin:
        return Reach(everyone=True, except_employee_id=user.employee_id)
    return Reach(position_ids=frozenset(supervised_position_ids(user)), except_employee_id=user.employee_id)


def require(check, *args) -> None:
    """abort(403) unless check(current_user, *args) holds."""
    if not check(current_user, *args):
        abort(403)


def admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        require(can_manage_accounts)
        return view(*args, **kwargs)

    return wrapped


TEMPLATE_HELPERS = {
    "supervises": supervises,
    "is_supervisor": is_supervisor,
    "can_manage_accounts": can_manage_accounts,
    "can_manage_staff": can_manage_staff,
    "can_edit_org": can_edit_org,
    "can_record_trainings": can_record_trainings,
    "can_issue_supplies": can_issue_supplies,
    "can_manage_equipment": can_manage_equipment,
    "may_report_fault": may_report_fault,
    "may_record_repair": may_record_repair,
    "may_set_equipment_photo": may_set_equipment_photo,
    "can_see_assessment": can_see_assessment,
    "may_see_employee_details": may_see_employee_details,
    "may_view_coverage": may_view_coverage,
    "may_see_training_files": may_see_training_files,
    "may_view_employee": may_view_employee,
    "may_see_all_assessments": may_see_all_assessments,
    "may_view_checklist": may_view_checklist,
    "may_see_colleagues_details": may_see_colleagues_details,
    "may_submit_requisition": may_submit_requisition,
    "may_restore_training_files": may_restore_training_files,
}


def may_self_check(user, item) -> bool:
    """自查: the holders of the item's position (an active employee in it), nobody else;
    confirming stays with supervisors (supervises)."""
    employee = getattr(user, "employee", None)
    return bool(getattr(user, "is_authenticated", False)) and employee is not None and employee.active and \
        employee.position_id == item.position_id
TEMPLATE_HELPERS["may_self_check"] = may_self_check


def may_self_check_subject(user, subject_id: int, thing: bool = False) -> bool:
    """An item for each holder: a holder self-checks his own occurrence only (subject 0 is
    the position's one occurrence, which any holder may self-check). An item for each
    piece of equipment (`thing`): any holder checks any piece (whoever uses the lift
    first that morning)."""
    return thing or subject_id == 0 or subject_id == getattr(user, "employee_id", None)


def may_self_check_occurrence(user, item, subject_id: int, thing: bool = False) -> bool:
    """自查 of one occurrence: a holder of the item's position, and for an item for each
    holder only his own (any piece of equipment, `thing`, is any holder's)."""
    return may_self_check(user, item) and may_self_check_subject(user, subject_id, thing)


def may_see_subject(user, position, subject_id: int, thing: bool = False) -> bool:
    """One holder's occurrences (his bay's 5S, his photos): the person, the position's
    supervisors and admin; a coworker sees only the position's shared items. A piece of
    equipment's occurrences (`thing`) are shared like the position's."""
    return thing or subject_id == 0 or subject_id == getattr(user, "employee_id", None) or supervises(user, position)
TEMPLATE_HELPERS["may_see_subject"] = may_see_subject


def visible_subjects(user, position, subjects) -> list:
    """Of an occurrence's subjects, those the user sees (may_see_subject), deciding
    `supervises` once for the list: an item for each holder of a position with a hundred
    and sixty technicians is that many subjects on every board."""
    if supervises(user, position):
        return list(subjects)
    own = getattr(user, "employee_id", None)
    return [s for s in subjects if s.thing or s.id == 0 or s.id == own]


def checklist_positions(user, positions) -> tuple[list, set[int]]:
    """Of these positions: those whose checklist the user sees (the ones he supervises and
    his own), and the ids of those he may tick (confirm). Admin sees and ticks all."""
    if user.is_admin:
        return list(positions), {p.id for p in positions}
    tickable = supervised_position_ids(user)
    own = user.position.id if user.position else None
    return [p for p in positions if p.id in tickable or p.id == own], tickable


# --- inspections (5S检查、厂家审核自查、整改) ----------------------------------------------
# An area (app/inspections/templates.py Area) belongs to positions: their supervisors
# inspect it, their holders see its inspections.

def may_inspect_area(user, area) -> bool:
    """Start and do an inspection of the area, assign and verify its actions: admin and the
    supervisors of any of the area's positions."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_admin or bool(supervised_position_ids(user) & set(area.position_ids))


def may_view_area_inspections(user, area) -> bool:
    """An area's inspections, their reports and its score trend: those who inspect it and
    the employees who work there (a holder of one of its positions)."""
    if may_inspect_area(user, area):
        return True
    position = getattr(user, "position", None) if getattr(user, "is_authenticated", False) else None
    return position is not None and position.id in area.position_ids


def may_view_inspection(user, inspection, area) -> bool:
    """One inspection: its inspector, and whoever may see the area's inspections (a draft
    only its inspector and those who may inspect the area)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if inspection.inspector_id == user.id or (area is not None and may_inspect_area(user, area)):
        return True
    return inspection.state != "draft" and area is not None and may_view_area_inspections(user, area)


def may_edit_inspection(user, inspection) -> bool:
    """Answer, photograph and submit a draft: its inspector only (admin too)."""
    return getattr(user, "is_authenticated", False) and inspection.state == "draft" and (
        inspection.inspector_id == user.id or user.is_admin)


def may_reopen_inspection(user, inspection) -> bool:
    """Send a submitted inspection back to a draft (with a reason): its inspector or admin."""
    return getattr(user, "is_authenticated", False) and inspection.state == "submitted" and (
        inspection.inspector_id == user.id or user.is_admin)


def may_delete_inspection(user, inspection) -> bool:
    """Delete a draft (删除草稿): its inspector or admin; never a submitted inspection."""
    return getattr(user, "is_authenticated", False) and inspection.state == "draft" and (
        inspection.inspector_id == user.id or user.is_admin)


def may_assign_action(user, inspection, area) -> bool:
    """An action for a finding: the inspector or someone who may inspect the area."""
    return getattr(user, "is_authenticated", False) and (
        inspection.inspector_id == user.id or (area is not None and may_inspect_area(user, area)))


def is_action_assignee(user, action) -> bool:
    return getattr(user, "employee_id", None) is not None and user.employee_id == action.assignee_id


def may_update_action(user, action) -> bool:
    """Record what was done (with the after photo): the assignee himself."""
    return getattr(user, "is_authenticated", False) and is_action_assignee(user, action)


def may_verify_action(user, action, area) -> bool:
    """Close, reopen or cancel an action: the inspector or someone who may inspect the
    area, never the assignee (closing is a verification by someone else)."""
    return may_assign_action(user, action.inspection, area) and not is_action_assignee(user, action)


def may_view_action(user, action, area) -> bool:
    return is_action_assignee(user, action) or may_view_inspection(user, action.inspection, area)


def may_manage_inspection_templates(user) -> bool:
    """Edit the inspection templates (new versions, retire): admin."""
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


def may_inspect(user) -> bool:
    """Inspect at all (some area): admin and supervisors. Checked before an inspection is
    even looked up, so a plain employee gets 403 on every inspector's action."""
    return is_supervisor(user)


# --- equipment loans and counts (issue 25) ---------------------------------------------------

def _responsible_for(user, item) -> bool:
    return item is not None and item.responsible_id is not None and \
        getattr(user, "employee_id", None) == item.responsible_id


def may_lend_equipment(user, item=None) -> bool:
    """Lend a tool and record its return: the equipment clerks (可管理设备) and admin, and
    the item's responsible person for that item. A technician borrows only through them.
    Without an item (a route before it loads the row): the clerks only."""
    return can_manage_equipment(user) or (bool(getattr(user, "is_authenticated", False)) and
                                          _responsible_for(user, item))


def may_see_loans_of(user, employee) -> bool:
    """The tools an employee holds: the person, his supervisors, the equipment clerks, admin."""
    if employee is None or not getattr(user, "is_authenticated", False):
        return False
    return (can_manage_equipment(user) or user.employee_id == employee.id or supervises_employee(user, employee))


def may_count_equipment(user) -> bool:
    """Start, record and close a count (盘点): the equipment clerks (可管理设备) and admin;
    everyone who sees the register reads the counts."""
    return can_manage_equipment(user)


def may_import_equipment(user) -> bool:
    """Import the register from a CSV file: the equipment clerks and admin."""
    return can_manage_equipment(user)


TEMPLATE_HELPERS.update({"may_lend_equipment": may_lend_equipment, "may_see_loans_of": may_see_loans_of,
                         "may_count_equipment": may_count_equipment, "may_import_equipment": may_import_equipment})
