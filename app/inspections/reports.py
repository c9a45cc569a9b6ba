"""What the inspection part prints and exports: the inspection report (PDF), the list of
actions (PDF and .xlsx) and an area's score trend over months (an inline SVG)."""
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.charts import nice_ticks
from app.extensions import db
from app.inspections import inspecting, scoring
from app.inspections.models import ACTION_STATES, SUBMITTED, CorrectiveAction, Inspection, TemplateVersion
from app.printing import render_pdf
from app.xlsxexport import Table

TREND_MONTHS = 12


def inspection_filename(insp: Inspection) -> str:
    when = clock.to_local(insp.submitted_at or insp.started_at)
    return f"检查报告-{insp.area_name}-{when:%Y%m%d}.pdf"


def inspection_pdf(insp: Inspection) -> bytes:
    acts = list(db.session.scalars(select(CorrectiveAction).filter_by(inspection_id=insp.id)
                                   .options(selectinload(CorrectiveAction.assignee),
                                            selectinload(CorrectiveAction.after_photos))
                                   .order_by(CorrectiveAction.id)))
    return render_pdf("print/inspection_report.html", insp=insp, answers=inspecting.answers_of(insp),
                      photos=inspecting.photos_by_item(insp), score=inspecting.current_score(insp),
                      findings=inspecting.findings(insp, acts) if insp.state == SUBMITTED else [],
                      label=scoring.label, target_text=scoring.target_text, action_states=ACTION_STATES)


def actions_pdf(rows: list[CorrectiveAction], show: str) -> bytes:
    return render_pdf("print/inspection_actions.html", rows=rows, show=show, today=clock.local_now().date(),
                      action_states=ACTION_STATES)


def actions_table(rows: list[CorrectiveAction]) -> Table:
    today = clock.local_now().date()
    table = Table("整改清单", ["区域", "问题", "整改要求", "责任人", "期限", "状态", "逾期天数", "检查日期"])
    for a in rows:
        table.rows.append([a.inspection.area_name, a.finding, a.what, a.assignee.name, a.due_on, a.state_label,
                           (today - a.due_on).days if a.overdue(today) else None,
                           clock.to_local(a.inspection.submitted_at).date() if a.inspection.submitted_at else None])
    return table


@dataclass
class Series:
    name: str
    pass_mark: int
    points: dict = field(default_factory=dict)  # (year, month) -> (average, count)


def _months(today: date, n: int = TREND_MONTHS) -> list[tuple[int, int]]:
    y, m, out = today.year, today.month, []
    for _ in range(n):
        out.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def trend(area_key: str, today: date) -> dict:
    """The monthly average score of the area's submitted inspections, per template, over
    the last TREND_MONTHS months (one bounded query)."""
    months = _months(today)
    start = date(*months[0], 1)
    rows = db.session.execute(
        select(Inspection.submitted_at, Inspection.score, TemplateVersion.template_id, TemplateVersion.name,
               TemplateVersion.pass_mark)
        .join(TemplateVersion, Inspection.version_id == TemplateVersion.id)
        .where(Inspection.area_key == area_key, Inspection.state == SUBMITTED, Inspection.score.is_not(None),
               Inspection.submitted_at >= clock.to_utc(datetime.combine(start, time())))
        .order_by(Inspection.submitted_at).limit(5000)).all()
    sums: dict = {}
    names: dict = {}
    for at, score, template_id, name, mark in rows:
        local = clock.to_local(at)
        key = (local.year, local.month)
        if key not in months:
            continue
        names[template_id] = (name, mark)  # the newest version's name
        total, count = sums.setdefault(template_id, {}).get(key, (0.0, 0))
        sums[template_id][key] = (total + score, count + 1)
    series = []
    for template_id, (name, mark) in names.items():
        s = Series(name, mark)
        for key, (total, count) in sums[template_id].items():
            s.points[key] = (round(total / count, 1), count)
        series.append(s)
    rows = [(y, m, [s.points.get((y, m)) for s in series]) for y, m in reversed(months)
            if any((y, m) in s.points for s in series)]
    return {"months": months, "series": series, "rows": rows}


COLOURS = ["#1f6feb", "#d9480f", "#2b8a3e", "#7048e8"]
# The chart is drawn W units wide and scaled to its box: on a desktop its labels are
# LABEL units high, on a phone (scaled to about half) LABEL_PHONE (static/css/inspections.css
# says so too). The margins are laid out for the larger, so that no label runs into the
# border or into another at either size.
W, H, LABEL, LABEL_PHONE = 640, 280, 11, 19
DIGIT = 0.6  # a digit's width in em (Noto Sans, with some room)


def trend_chart(data: dict) -> dict:
    """The geometry of the trend chart (templates/inspections/_trend_chart.html draws it as
    an inline SVG): a line per template over the months, its pass mark dashed, the points
    below it red. The y axis has round ticks (nice_ticks) up to 100; under each month its
    name, and under January and the first month the year (a second line, 1.25 em below)."""
    months, series = data["months"], data["series"]
    low = min([50.0] + [v for s in series for v, _ in s.points.values()])
    ticks = nice_ticks(max(0.0, low), 100, 0, intervals=5)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 10
    while ticks[0] > low and ticks[0] > 0:  # the axis starts at a tick at or below the lowest point
        ticks.insert(0, ticks[0] - step)
    lo = ticks[0]
    pad = LABEL_PHONE * 0.4  # a label's distance from the border and from the plot
    left = round(pad + DIGIT * LABEL_PHONE * len(str(int(ticks[-1]))) + pad)  # "100" fits
    right = round(pad * 1.5)
    top = LABEL_PHONE  # the top label's upper half, and some room
    bottom = round(pad + 2.25 * LABEL_PHONE + pad)  # two lines: the month, the year

    def x(i):
        return round(left + (W - left - right) * (i + 0.5) / len(months), 1)

    def y(v):
        return round(top + (H - top - bottom) * (100 - v) / (100 - lo if lo < 100 else 1), 1)

    lines = []
    for n, s in enumerate(series):
        pts = [(x(i), y(s.points[m][0]), s.points[m][0]) for i, m in enumerate(months) if m in s.points]
        lines.append({"name": s.name, "colour": COLOURS[n % len(COLOURS)], "mark_y": y(s.pass_mark),
                      "polyline": " ".join(f"{px},{py}" for px, py, _ in pts) if len(pts) > 1 else "",
                      "points": [{"x": px, "y": py, "value": v, "low": v < s.pass_mark} for px, py, v in pts]})
    return {"w": W, "h": H, "left": left, "right": W - right, "base": H - bottom, "label": LABEL,
            "label_x": left - round(pad), "label_y": H - bottom + round(pad * 0.5),
            "grid": [{"y": y(v), "value": f"{v:g}"} for v in ticks],
            "months": [{"x": x(i), "month": mm, "year": yy if (mm == 1 or i == 0) else None}
                       for i, (yy, mm) in enumerate(months)],
            "lines": lines}
