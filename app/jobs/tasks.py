"""The periodic jobs' work, as plain functions (also called by the CLI commands). Each runs
in an app context, only flushes, and returns a short line for the job's record; the
scheduler commits (or rolls back on an error)."""
import os
import subprocess
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete

from app import uploads
from app.auth.throttle import prune
from app.database import utcnow
from app.extensions import db
from app.notices.models import JobRun, WebhookDelivery
from app.parts import referenced_uploads


def housekeeping() -> str:
    """Login attempts older than 30 days, job records older than 30 days and robot pushes
    finished more than 90 days ago."""
    logins = prune(30)
    runs = db.session.execute(delete(JobRun).where(JobRun.started_at < utcnow() - timedelta(days=30))).rowcount
    pushes = db.session.execute(delete(WebhookDelivery).where(
        WebhookDelivery.status.in_(("sent", "failed")),
        WebhookDelivery.finished_at < utcnow() - timedelta(days=90))).rowcount
    return f"清理登录记录 {logins} 条、任务记录 {runs} 条、推送记录 {pushes} 条。"


def uploads_check(remove: bool = False, minutes: int = 60) -> list[str]:
    """Stored files (and unfinished temporary files) no row refers to, older than `minutes`;
    deleted with `remove`. Paths relative to UPLOAD_FOLDER."""
    found = uploads.orphans(referenced_uploads(), minutes * 60)
    if remove:
        for path in found:
            try:
                os.remove(os.path.join(current_app.config["UPLOAD_FOLDER"], path))
            except FileNotFoundError:
                pass
    return found


def remove_orphan_uploads() -> str:
    return f"删除没有记录的文件 {len(uploads_check(remove=True))} 个。"


def backup() -> str:
    """scripts/backup.sh into BACKUP_DIR (off when empty)."""
    target = current_app.config.get("BACKUP_DIR") or ""
    if not target:
        return "未设置 BACKUP_DIR，跳过。"
    root = os.path.normpath(os.path.join(current_app.root_path, ".."))
    env = {**os.environ, "INSTANCE_PATH": current_app.instance_path,
           "DATABASE_URL": current_app.config["SQLALCHEMY_DATABASE_URI"]}
    subprocess.run(["bash", os.path.join(root, "scripts", "backup.sh"), os.path.abspath(target)],
                   cwd=root, env=env, check=True, capture_output=True, timeout=3600)
    return f"已备份到 {target}。"
