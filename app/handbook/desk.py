"""The handbook part's blocks of 我的工作台: a banner when my duties have a revision I have
not confirmed, and for supervisors who has not confirmed theirs."""
from app.handbook.confirmations import needs_confirmation, unconfirmed
from app.parts import Desk, Listing
from app.permissions import is_supervisor


def confirmation_banner(desk: Desk):
    position = desk.position
    return position if position is not None and needs_confirmation(desk.user, position) else None


def unconfirmed_staff(desk: Desk) -> Listing | None:
    if not is_supervisor(desk.user):
        return None
    groups = unconfirmed(desk.user)
    return Listing(groups, sum(len(g.employees) for g in groups))
