"""The month grid's day cells as HTML, written in Python.

A month of the technicians' 点检记录 shows twenty people by thirty-one days for each item
for each holder: some two thousand cells, and the same cells written by a Jinja loop (a
helper call, a filter and a dozen lookups and escapes per cell) cost half the page. The
HTML is what templates/checklists/_grid.html wrote for them, byte for byte."""
from markupsafe import Markup, escape

from app import clock
from app.checklists.fields import summarize
from app.safe_html import joined

SYMBOLS = {"done": "✔", "late": "补", "missed": "✘", "open": "○", "future": "·", "review": "审"}
ANOMALY = "异"  # done, but a point answered 否 that is a fault, or a figure out of range
AT = "%m-%d %H:%M"


def localtime(utc_naive, zone=None) -> str:
    """The `localtime` template filter's text for a stored (naive UTC) moment (`zone`: the
    local time zone, when the caller has it at hand)."""
    return clock.to_local(utc_naive, zone).strftime(AT) if utc_naive is not None else ""


class _Escaped(dict):
    """Names escaped once: a row's few people sign hundreds of cells."""

    def __missing__(self, text: str) -> str:
        value = self[text] = str(escape(text))
        return value


def cells(row: dict, days) -> Markup:
    """A grid row's cells, one per day of the month: its state's symbol (or the recorded
    figure), who checked and confirmed it in the title."""
    out = []
    esc, zone = _Escaped(), clock.tz()
    for d in days:
        c = row["cells"].get(d)
        if c is None:
            out.append('\n    <td class="cell " ></td>\n    ')
            continue
        sm = summarize(c.values) if c.values else None
        cls = c.status + (" has-value" if sm else "") + (" flagged" if sm and sm.flagged else "")
        m = c.mark
        if m and m.done:
            who = f"点检人 {esc[m.self_by.name]} {localtime(m.self_at, zone)}；确认人 " if m.self_by else ""
            title = f' title="{who}{esc[m.by.name] if m.by else ""} {localtime(m.at, zone)}' \
                    f'{escape(" " + m.note) if m.note else ""}"'
        elif c.status == "review":
            title = f' title="待核查：{esc[m.self_by.name] if m.self_by else ""} {localtime(m.self_at, zone)} 已自查"'
        else:
            title = " "
        if sm:
            flagged = f"（{sm.flagged}）" if sm.flagged else ""
            sup = f"<sup>{escape(sm.marks)}</sup>" if sm.marks else ""
            # a check done but with something wrong reads 异, not ✔ (its title says what)
            shown = sm.figure or (ANOMALY if sm.flagged and c.status in ("done", "late") else SYMBOLS[c.status])
            body = f'<span class="cv" title="{escape(sm.title)}{escape(flagged)}">{escape(shown)}{sup}</span>'
        else:
            body = SYMBOLS[c.status]
        out.append(f'\n    <td class="cell {cls}"{title}>{body}</td>\n    ')
    return joined(out)
