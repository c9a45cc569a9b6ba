"""The parts of the intranet, and the one place where each registers itself.

A part (handbook, checklists, supplies, equipment, …) is a package with a `register(app)`
that hands one `Part` to `add()`: its blueprint, its audit labels, its navigation entry,
its workspace blocks, its nightly notices, its periodic jobs, its demo data and its bench
pages. The application factory calls the parts' `register` in the order of `app.PARTS`;
nothing else in the app names a part's pieces. Adding a part = its package + one line in
that list.

Everything here is plain data read at request (or job) time through `parts()`, so a test
can register a throwaway part on its own app and see it in the nav, the audit log and the
workspace.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable

from flask import Blueprint, Flask, current_app
from sqlalchemy import func, select

from app.extensions import db

KEY = "intranet_parts"


@dataclass(frozen=True)
class NavEntry:
    """A link in the top navigation. `active`: endpoint prefixes that mark it as the
    current section (default: the part's blueprint); `visible(user)`: shown to this user
    (default: everyone logged in); `badge(user)`: (count, title) or None."""
    label: str
    endpoint: str
    order: int = 50
    active: tuple[str, ...] = ()
    visible: Callable[[Any], bool] | None = None
    badge: Callable[[Any], tuple[int, str] | None] | None = None
    # A tile in the workspace's 全部功能: its line of text, and where it leads this user
    # (default: `endpoint`). No tile without text.
    tile: str = ""
    tile_endpoint: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Desk:
    """What a workspace block is built from: the user, his active employee record (or
    None), his position (or None) and the time."""
    user: Any
    employee: Any
    position: Any
    now: datetime

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass(frozen=True)
class WorkspaceBlock:
    """A block of 我的工作台. `build(desk)` returns what `template` shows (as `block`), or
    None when the block is not for this user. `card`: "" gives the block a card of its own
    (its template is the whole card); "banner" puts it above the cards; "todo" makes it a
    section of the 待我处理 card (what waits for the user to decide or do), shown when
    what it built is truthy, the card itself whenever one of its sections is for the user.
    `order` sorts blocks, lower first."""
    name: str
    template: str
    build: Callable[[Desk], Any]
    order: int = 50
    card: str = ""


@dataclass(frozen=True)
class Job:
    name: str
    period: timedelta
    run: Callable[[], object]
    offset: timedelta = field(default=timedelta(0))

    def slot(self, now_local: datetime) -> datetime:
        """The start (naive local time) of the slot `now_local` falls in."""
        origin = datetime(2000, 1, 1) + self.offset  # a local midnight, plus the offset
        return origin + ((now_local - origin) // self.period) * self.period


@dataclass(frozen=True)
class NoticeRule:
    """Run by the hourly notices job (notices.rules.send_due): run(now) makes the notices
    of what is due or overdue and says how many; it must be safe to repeat (a notice key
    per thing and state). `label` names them in the job's line (逾期点检 3 条)."""
    key: str
    label: str
    run: Callable[[datetime], int]


@dataclass
class Part:
    name: str
    blueprint: Blueprint | None = None
    more_blueprints: tuple[Blueprint, ...] = ()  # a part with pages under a second prefix
    audit_labels: dict[str, str] = field(default_factory=dict)
    object_labels: dict[str, str] = field(default_factory=dict)
    nav: tuple[NavEntry, ...] = ()
    workspace: tuple[WorkspaceBlock, ...] = ()
    notices: tuple[NoticeRule, ...] = ()
    notice_kinds: dict[str, str] = field(default_factory=dict)  # a notice's kind → its label
    jobs: tuple[Job, ...] = ()  # run by the worker (app/jobs/schedule.py)
    # Shipped data loaded by `flask init` on every install and upgrade (the README's run
    # command): fn() -> report lines; must be idempotent (what is there is left as it is).
    seed: Callable[[], list[str]] | None = None
    # Demo data (flask seed-demo): fn(fresh) -> report lines; `fresh` is True when the demo
    # staff was created by this run. Parts run in demo_order, lower first.
    demo: Callable[[bool], list[str]] | None = None
    demo_order: int = 50
    # The part's main pages and its exports (PDF, CSV, xlsx) for the benchmarks under bench/
    # and tests/test_page_queries.py: fn() -> [(kind, url)], for an admin, with the busiest
    # object of each kind in the dataset.
    bench_pages: Callable[[], list[tuple[str, str]]] | None = None
    bench_exports: Callable[[], list[tuple[str, str]]] | None = None
    # The nightly uploads check: fn() -> {upload folder: keys some row refers to}; files in
    # those folders that no row refers to are removed. A folder no part names is left alone.
    uploads: Callable[[], dict[str, set[str]]] | None = None
    template_globals: dict[str, Any] = field(default_factory=dict)
    template_filters: dict[str, Callable] = field(default_factory=dict)
    # Templates this part adds to a position's handbook page (with `position`) and to an
    # employee's page (with `employee`), in the order of the parts.
    position_panels: tuple[str, ...] = ()
    employee_panels: tuple[str, ...] = ()
    # When an employee is marked 离职 (the directory's form or its import), in the same
    # write: fn(employee, by) -> lines for the person who made the change (what the part
    # did, or what is still open in it for the leaver).
    on_leave: Callable[[Any, Any], list[str]] | None = None


SHOW = 5  # rows a workspace list shows before its "全部" link


@dataclass
class Listing:
    """The first rows of a list and how many there are in all; falsy when empty."""
    rows: list = field(default_factory=list)
    total: int = 0

    def __bool__(self) -> bool:
        return self.total > 0


def add(app: Flask, part: Part) -> None:
    registry: dict[str, Part] = app.extensions.setdefault(KEY, {})
    if part.name in registry:
        raise ValueError(f"part {part.name!r} registered twice")
    registry[part.name] = part
    for bp in ((part.blueprint,) if part.blueprint else ()) + part.more_blueprints:
        app.register_blueprint(bp)
    app.jinja_env.globals.update(part.template_globals)
    app.jinja_env.filters.update(part.template_filters)


def parts(app: Flask | None = None) -> list[Part]:
    return list((app or current_app).extensions.get(KEY, {}).values())


def audit_labels() -> dict[str, str]:
    return {code: label for p in parts() for code, label in p.audit_labels.items()}


def object_labels() -> dict[str, str]:
    return {code: label for p in parts() for code, label in p.object_labels.items()}


def nav_entries(user) -> list[tuple[NavEntry, tuple[str, ...]]]:
    """The entries this user sees, in order, each with the endpoint prefixes that mark it
    active."""
    out = []
    for p in parts():
        for entry in p.nav:
            if entry.visible is None or entry.visible(user):
                out.append((entry, entry.active or ((p.blueprint.name,) if p.blueprint else ())))
    return sorted(out, key=lambda e: e[0].order)


def workspace_blocks() -> list[WorkspaceBlock]:
    return sorted((b for p in parts() for b in p.workspace), key=lambda b: b.order)


def jobs() -> list:
    return [j for p in parts() for j in p.jobs]


def referenced_uploads() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for p in parts():
        for folder, keys in (p.uploads() if p.uploads else {}).items():
            out.setdefault(folder, set()).update(keys)
    return out


def notice_rules() -> list[NoticeRule]:
    return [rule for p in parts() for rule in p.notices]


def notice_kinds() -> dict[str, str]:
    return {kind: label for p in parts() for kind, label in p.notice_kinds.items()}


def seed_steps() -> list[tuple[str, Callable[[], list[str]]]]:
    return [(p.name, p.seed) for p in parts() if p.seed is not None]


def demo_steps() -> list[tuple[str, Callable[[bool], list[str]]]]:
    return [(p.name, p.demo) for p in sorted(parts(), key=lambda p: p.demo_order) if p.demo is not None]


def bench_pages() -> list[tuple[str, str]]:
    return [page for p in parts() if p.bench_pages is not None for page in p.bench_pages()]


def bench_exports() -> list[tuple[str, str]]:
    return [page for p in parts() if p.bench_exports is not None for page in p.bench_exports()]


def busiest(col, *where):
    """The value of `col` with the most rows (ties: the highest), for the bench pages."""
    return db.session.execute(select(col, func.count()).where(*where).group_by(col)
                              .order_by(func.count().desc(), col.desc()).limit(1)).first()[0]


def position_panels() -> list[str]:
    return [t for p in parts() for t in p.position_panels]


def employee_panels() -> list[str]:
    return [t for p in parts() for t in p.employee_panels]


def employee_left(employee, by) -> list[str]:
    """Each part's on_leave for an employee just marked 离职, in the order of the parts."""
    return [line for p in parts() if p.on_leave for line in p.on_leave(employee, by)]


def tiles(user) -> list[tuple[NavEntry, str]]:
    """The workspace's 全部功能: (entry, endpoint) of the nav entries with a tile."""
    return [(e, e.tile_endpoint(user) if e.tile_endpoint else e.endpoint) for e, _ in nav_entries(user) if e.tile]
