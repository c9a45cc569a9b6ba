"""The audit log: every state change calls record() in the same transaction."""
from datetime import date, datetime
from typing import Any, Optional

from flask import has_request_context, request
from flask_login import current_user

from app.audit.models import AuditEntry
from app.extensions import db

# Each part names its action codes and object types in Chinese (app.parts.Part.audit_labels
# and object_labels); the audit browser lists those: a fixed table, not a DISTINCT over
# years of entries.


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def record(
    action: str,
    object_type: str,
    object_id: Any = None,
    *,
    summary: str = "",
    before: Optional[dict] = None,
    after: Optional[dict] = None,
    user=None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (flushed, not committed)."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    entry = AuditEntry(
        user_id=getattr(user, "id", None),
        actor=getattr(user, "username", None) or ("匿名" if has_request_context() else "系统"),
        ip=request.remote_addr if has_request_context() else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, for compact before/after records."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record_changes(action: str, object_type: str, object_id: Any, before: dict, after: dict,
                   *, summary: str = "") -> AuditEntry | None:
    """Record only the fields that changed between two snapshots; nothing if none did."""
    b, a = changes(before, after)
    if not a:
        return None
    return record(action, object_type, object_id, summary=summary, before=b, after=a)
