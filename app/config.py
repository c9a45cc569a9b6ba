"""Configuration: defaults, then instance/config.py, then environment, then test overrides."""
import os
import secrets
from datetime import timedelta
from pathlib import Path


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def defaults(instance_path: str) -> dict:
    upload_folder = os.environ.get("UPLOAD_FOLDER") or os.path.join(instance_path, "uploads")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or "sqlite:///" + os.path.join(instance_path, "app.db"),
        "SQLITE_BUSY_TIMEOUT_MS": int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "15000")),
        # PostgreSQL: how many prepared statements psycopg keeps per connection (its default,
        # 100, is fewer than the app's distinct statements, so a mix of pages evicted them)
        "PG_PREPARED_MAX": int(os.environ.get("PG_PREPARED_MAX", "500")),
        "COMPANY_NAME": os.environ.get("COMPANY_NAME", "汽车销售服务有限公司"),
        "DEPARTMENT_NAME": os.environ.get("DEPARTMENT_NAME", "售后服务部"),
        "TIMEZONE": os.environ.get("TIMEZONE", "Asia/Shanghai"),
        "UPLOAD_FOLDER": upload_folder,
        # "cdn" = CDN with automatic fallback to the vendored copy; "local" = vendored copy only.
        "HTMX_SOURCE": os.environ.get("HTMX_SOURCE", "cdn"),
        # One request (several files) and one file: larger requests get the Chinese 413 page.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "100")) * 1024 * 1024,
        "MAX_FILE_MB": int(os.environ.get("MAX_FILE_MB", "20")),
        # How many reverse proxies (nginx …) stand in front of the app; 0: none, and
        # X-Forwarded-* headers are ignored.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
        # Every login ends this long after it began, remember-me included (the sliding
        # PERMANENT_SESSION_LIFETIME ends it sooner when the browser is left unused).
        "SESSION_ABSOLUTE_HOURS": float(os.environ.get("SESSION_ABSOLUTE_HOURS", str(24 * 14))),
        "REMEMBER_COOKIE_DURATION": timedelta(hours=float(os.environ.get("SESSION_ABSOLUTE_HOURS", str(24 * 14)))),
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=float(os.environ.get("SESSION_LIFETIME_HOURS", "12"))
        ),
        # The cookie is signed anew when the session changes, not on every response: the
        # login refreshes it when it records its use (every few minutes, auth/sessions.py),
        # which keeps the idle lifetime sliding and spares each page a signing.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # The CSRF token lives as long as the session, so HTMX pages left open keep working.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_I18N_ENABLED": False,  # WTForms' messages from its own zh translations (app/forms.py)
        # OWASP password storage cheat sheet: scrypt N=2^15, r=8, p=3.
        "PASSWORD_HASH_METHOD": "scrypt:32768:8:3",
        "LOGIN_MAX_FAILURES_PER_USER": int(os.environ.get("LOGIN_MAX_FAILURES_PER_USER", "5")),
        "LOGIN_MAX_FAILURES_PER_IP": int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP", "20")),
        # An account failing from many addresses answers ever more slowly, up to the maximum.
        "LOGIN_SLOW_AFTER_FAILURES": int(os.environ.get("LOGIN_SLOW_AFTER_FAILURES", "10")),
        "LOGIN_MAX_DELAY_SECONDS": float(os.environ.get("LOGIN_MAX_DELAY_SECONDS", "8")),
        # Group robots (企业微信 / 钉钉): set by admin on the 通知 page; these tune the sending.
        "WEBHOOK_TIMEOUT": float(os.environ.get("WEBHOOK_TIMEOUT", "5")),
        "WEBHOOK_RETRIES": int(os.environ.get("WEBHOOK_RETRIES", "3")),
        "WEBHOOK_BACKOFF": float(os.environ.get("WEBHOOK_BACKOFF", "2")),
        # Robots: https only unless this is 1; hosts (comma-separated) that may resolve to
        # an inside address (a robot gateway in the LAN), none by default (notices/webhook.py).
        "WEBHOOK_ALLOW_HTTP": os.environ.get("WEBHOOK_ALLOW_HTTP", "") == "1",
        "WEBHOOK_ALLOWED_HOSTS": os.environ.get("WEBHOOK_ALLOWED_HOSTS", ""),
        # The address people open the intranet at, for links in robot messages (else the
        # address of the request that caused the message).
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", ""),
        # The worker process (`flask --app wsgi worker`, app/jobs/worker.py): pushes sent at
        # once, seconds between looks at the outbox and at the job schedule, and how long
        # past a try's deadline a claimed push counts as abandoned by a dead worker.
        "WORKER_THREADS": int(os.environ.get("WORKER_THREADS", "4")),
        "WORKER_POLL": float(os.environ.get("WORKER_POLL", "1")),
        "SCHEDULER_POLL": float(os.environ.get("SCHEDULER_POLL", "20")),
        "WORKER_LEASE_MARGIN": float(os.environ.get("WORKER_LEASE_MARGIN", "30")),
        # The worker's nightly backup (scripts/backup.sh) goes here; empty: no backup job.
        "BACKUP_DIR": os.environ.get("BACKUP_DIR", str(Path(__file__).resolve().parent.parent / "backup")),
        "LOGIN_LOCK_MINUTES": int(os.environ.get("LOGIN_LOCK_MINUTES", "15")),
        "PER_PAGE": 50,
        # Printed PDFs are cached by content in instance/cache/pdf, at most this many MB (0: off).
        "PDF_CACHE_MB": int(os.environ.get("PDF_CACHE_MB", "200")),
        # Checklists: "下班前" means this local time; overdue list looks back this many days.
        "WORKDAY_END": os.environ.get("WORKDAY_END", "17:30"),
        "CHECKLIST_OVERDUE_DAYS": int(os.environ.get("CHECKLIST_OVERDUE_DAYS", "62")),
        # Minutes before an occurrence's due time that its holder is reminded (0: never).
        "CHECKLIST_REMIND_MINUTES": int(os.environ.get("CHECKLIST_REMIND_MINUTES", "60")),
        "COVERAGE_WARN_DAYS": int(os.environ.get("COVERAGE_WARN_DAYS", "60")),
        # Fail a request that commits a change without an audit record (app/audit/guard.py;
        # on in the test suite).
        "AUDIT_GUARD": os.environ.get("AUDIT_GUARD", "") == "1",
    }
