"""The handbook part's blocks of 我的工作台: a banner when my duties have a revision I have
not confirmed, and for supervisors who has not confirmed theirs."""
from app.handbook.confirmations import confirmation_due, unconfirmed
from app.parts import Desk, Listing
from app.permissions import is_supervisor


def confirmation_banner(desk: Desk) -> dict | None:
    """My position's duties to read and confirm: for the first time, or a new version."""
    position = desk.position
    due = confirmation_due(desk.user, position) if position is not None else None
    return {"position": position, "first": due == "first"} if due else None


def unconfirmed_staff(desk: Desk) -> Listing | None:
    if not is_supervisor(desk.user):
        return None
    groups = unconfirmed(desk.user)
    return Listing(groups, sum(len(g.employees) for g in groups))
