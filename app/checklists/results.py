"""The results the checklist recorded: per item over time (a table, the month's figures,
charts), the month's CSV per position, and the photo and minutes appendix of the printed
sheet. Plain functions over the month grid and the values; the routes only render them.
"""
from dataclasses import dataclass, field as dc_field
from datetime import date, timedelta
from decimal import Decimal

from app import clock
from app.charts import nice_ticks
from app.checklists.grid import cell_status
from app.checklists.marks import mark_views
from app.checklists.occurrences import expand
from app.checklists.fields import NUMERIC, display, flag, fmt_number, values_for
from app.checklists.models import ChecklistItem

GROUPS = {"day": "按日", "week": "按周", "month": "按月"}
STATUS_LABELS = {"done": "已完成", "late": "补录", "missed": "未完成", "open": "待完成", "future": "未到期",
                 "review": "待核查"}
CHART_W, CHART_H, PAD_L, PAD_B = 640, 200, 44, 28


@dataclass
class Stats:
    n: int = 0
    total: float = 0.0
    low: float | None = None
    high: float | None = None
    flagged: int = 0

    def add(self, value: float, flagged: bool) -> None:
        self.n += 1
        self.total += value
        self.low = value if self.low is None else min(self.low, value)
        self.high = value if self.high is None else max(self.high, value)
        self.flagged += flagged

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None


@dataclass
class Chart:
    """A server-drawn SVG chart: points in chart coordinates and the axis labels."""
    kind: str  # line / bars
    points: list = dc_field(default_factory=list)  # (x, y, label, value text, flagged)
    y_ticks: list = dc_field(default_factory=list)  # (y, text)
    x_labels: list = dc_field(default_factory=list)  # (x, text)
    target_y: float | None = None
    bar_w: float = 0
    width: int = CHART_W
    height: int = CHART_H + PAD_B + 10

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, *_ in self.points)


def month_range(year: int, month: int, span: int) -> tuple[date, date]:
    y, m = year, month
    for _ in range(span - 1):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return clock.month_days(y, m)[0], clock.month_days(year, month)[1]


def series(item: ChecklistItem, first: date, last: date, now=None, person: int | None = None) -> list[dict]:
    """Every occurrence of the item due between first and last (one per holder for an item
    for each holder; `person` narrows to one) with its state and its recorded values (only
    those of done or self-checked occurrences)."""
    now = now or clock.local_now()
    occs = [(o, s) for _, o, s in expand([item], first, last) if person is None or s.person == 0 or s.id == person]
    keys = [(item.id, o.period.key, s.id) for o, s in occs]
    marks = mark_views(keys)
    values = values_for(keys)
    out = []
    for (occ, sub), key in zip(occs, keys):
        mark = marks.get(key)
        status = cell_status(occ, mark, now)
        shown = values.get(key, []) if status in ("done", "late", "review") else []
        out.append({"occ": occ, "subject": sub, "status": status, "mark": mark, "values": shown})
    return out


def _scale(lo: float, hi: float) -> tuple[float, float]:
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.08
    return lo - pad, hi + pad


def line_chart(points: list[tuple[date, float, bool]], first: date, last: date, target: float | None,
               decimals: int) -> Chart:
    """Figures over time as a line, with the target as a dashed line."""
    chart = Chart("line")
    if not points:
        return chart
    ys = [v for _, v, _ in points] + ([target] if target is not None else [])
    lo, hi = _scale(min(ys), max(ys))
    days = max((last - first).days, 1)
    plot_w = CHART_W - PAD_L - 10

    def y_of(v: float) -> float:
        return 10 + CHART_H - (v - lo) / (hi - lo) * CHART_H

    for d, v, flagged in points:
        x = PAD_L + (d - first).days / days * plot_w
        chart.points.append((x, y_of(v), f"{d.month}-{d.day}", fmt_number(v, decimals), flagged))
    chart.y_ticks = [(y_of(v), fmt_number(v, decimals)) for v in nice_ticks(lo, hi, decimals)]
    chart.target_y = y_of(target) if target is not None else None
    d = first
    while d <= last:  # a label at each month's first day
        if d.day == 1:
            chart.x_labels.append((PAD_L + (d - first).days / days * plot_w, f"{d.month}月"))
        d += timedelta(days=1)
    return chart


def group_key(d: date, group: str) -> tuple[date, str]:
    """The start of d's day, ISO week or month, and its label."""
    if group == "week":
        start = d - timedelta(days=d.weekday())
        return start, f"{start.month}/{start.day}周"
    if group == "month":
        return d.replace(day=1), f"{d.month}月"
    return d, f"{d.month}/{d.day}"


def count_totals(points: list[tuple[date, float]], group: str) -> list[tuple[date, str, float]]:
    """Counts summed per day, week or month, oldest first."""
    totals: dict[date, list] = {}
    for d, v in points:
        start, label = group_key(d, group)
        totals.setdefault(start, [label, 0.0])[1] += v
    return [(start, label, total) for start, (label, total) in sorted(totals.items())]


def bar_chart(totals: list[tuple[date, str, float]]) -> Chart:
    chart = Chart("bars")
    if not totals:
        return chart
    ticks = nice_ticks(0, max(t for *_, t in totals) or 1, 0, cover=True)
    hi = ticks[-1]  # the axis tops at a round count at or above the highest bar
    plot_w = CHART_W - PAD_L - 10
    slot = plot_w / len(totals)
    chart.bar_w = max(slot * 0.7, 1)
    every = -(-len(totals) // 8)  # at most eight labels: they stay apart on a phone
    for n, (_, label, total) in enumerate(totals):
        x = PAD_L + n * slot + (slot - chart.bar_w) / 2
        h = total / hi * CHART_H
        chart.points.append((x, 10 + CHART_H - h, label, fmt_number(total, 0), False))
        if n % every == 0:
            chart.x_labels.append((x + chart.bar_w / 2, label))
    chart.y_ticks = [(10 + CHART_H - CHART_H * v / hi, fmt_number(v, 0)) for v in ticks]
    return chart


def report(item: ChecklistItem, year: int, month: int, span: int = 3, group: str = "day", now=None,
           person: int | None = None) -> dict:
    """Everything the item's results page shows: the month's table and figures, and a
    chart per numeric field over the last `span` months up to this one."""
    now = now or clock.local_now()
    first, last = month_range(year, month, span)
    m_first, m_last = clock.month_days(year, month)
    rows = series(item, first, last, now, person)
    fields = [f for f in item.fields if f.active or any(v.field_id == f.id for r in rows for v in r["values"])]
    month_rows = [r for r in rows if m_first <= r["occ"].due_date <= m_last]
    for r in month_rows:
        r["by_field"] = {}
        for v in r["values"]:
            r["by_field"].setdefault(v.field_id, []).append(v)
    stats, charts = {}, {}
    for f in fields:
        if f.kind not in NUMERIC:
            continue
        s = Stats()
        for r in month_rows:
            for v in r["by_field"].get(f.id, []):
                if v.number is not None:
                    s.add(v.number, bool(flag(v)))
        stats[f.id] = s
        points = [(r["occ"].due_date, v.number, bool(flag(v))) for r in rows for v in r["values"]
                  if v.field_id == f.id and v.number is not None]
        if f.kind == "number":
            charts[f.id] = line_chart(points, first, last, f.target, f.decimals)
        else:
            charts[f.id] = bar_chart(count_totals([(d, v) for d, v, _ in points], group))
    return {"first": first, "last": last, "year": year, "month": month, "fields": fields, "rows": month_rows,
            "stats": stats, "charts": charts}


# --- the month of a position: CSV and the printed appendix ------------------------------

def _fields_of(grid) -> list[tuple]:
    """(item, field) of every field that is active or has a value this month, in order."""
    used: dict[int, set] = {}
    for r in grid["rows"]:
        used.setdefault(r["item"].id, set()).update(v.field_id for c in r["cells"].values() for v in c.values)
    out = []
    for r in grid["rows"]:
        if r.get("first", True):
            out += [(r["item"], f) for f in r["item"].fields if f.active or f.id in used[r["item"].id]]
    return out


def month_table(grid) -> tuple[list[str], list[list]]:
    """A position's month as a table (CSV or Excel, app/xlsxexport.py): one row per
    occurrence, one column per field; figures as numbers with their decimals, times as
    datetimes."""
    columns = _fields_of(grid)
    header = ["项目", "人员", "周期", "截止", "状态", "点检人（自查）", "自查备注", "确认人", "确认时间", "备注"] + \
        [f"{item.title[:20]}·{f.label}" + (f"（{f.unit}）" if f.unit else "") for item, f in columns]
    rows = []
    for r in grid["rows"]:
        for day, c in sorted(r["cells"].items()):
            m = c.mark
            by_field: dict[int, list] = {}
            for v in c.values:
                by_field.setdefault(v.field_id, []).append(v)
            cells = []
            for item, f in columns:
                vs = by_field.get(f.id, []) if item.id == r["item"].id else []
                if not vs:
                    cells.append("")
                elif f.kind in NUMERIC:
                    text = fmt_number(vs[0].number, vs[0].decimals if vs[0].kind == "number" else 0)
                    cells.append(Decimal(text) if text else "")
                elif f.kind == "minutes":
                    cells.append(vs[0].text + (f"\n参会：{vs[0].attendees}" if vs[0].attendees else ""))
                else:
                    cells.append("；".join(display(v) for v in vs))
            rows.append([r["item"].title, r["subject"].name, c.occ.period.label, c.occ.due_at,
                         STATUS_LABELS.get(c.status, c.status),
                         m.self_by.name if m and m.self_by else "", m.self_note if m and m.self_by else "",
                         m.by.name if m and m.done and m.by else "",
                         clock.to_local(m.at) if m and m.done and m.at else None,
                         m.note if m and m.done else ""] + cells)
    return header, rows


def appendix(grid) -> dict:
    """The printed sheet's appendix: the month's photos (day and item) and minutes."""
    photos, minutes = [], []
    for r in grid["rows"]:
        for day, c in sorted(r["cells"].items()):
            for v in c.values:
                entry = {"n": r["n"], "item": r["item"], "subject": r.get("subject"), "day": day, "value": v}
                if v.kind == "photo":
                    photos.append(entry)
                elif v.kind == "minutes":
                    minutes.append(entry)
    photos.sort(key=lambda p: (p["day"], p["n"]))
    minutes.sort(key=lambda p: (p["day"], p["n"]))
    return {"photos": photos, "minutes": minutes}


def photo_pages(photos: list, per_page: int = 6) -> list[list]:
    """The appendix's photos in printed pages of `per_page` (two rows of three); when the
    last page would hold a single photo, the page before it gives one up, so no page holds
    one photo alone."""
    pages = [photos[i:i + per_page] for i in range(0, len(photos), per_page)]
    if len(pages) > 1 and len(pages[-1]) == 1:
        pages[-1].insert(0, pages[-2].pop())
    return pages
