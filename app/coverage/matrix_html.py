"""The coverage matrix's rows as HTML, written in Python.

The matrix page has a row per active employee (hundreds) and a few cells per row; the
same rows written by a Jinja loop (attribute lookups, a filter and an escape per value)
cost about as much as reading the matrix from the database. The HTML is the one
templates/coverage/_matrix_table.html wrote; a cell without a checkbox is the same for
everyone with the same state and dates, so it is built once per page."""
from flask import url_for
from markupsafe import Markup, escape

from app.coverage.rules import EXPIRED, LABELS, MISSING, NA, Matrix
from app.safe_html import joined

_STAND_IN = 2_147_483_647  # an id no employee has: it appears in the link once, to be replaced


def rows_of(m: Matrix, may_gap: bool):
    """A function: a group of `m.groups` -> its rows, as Markup; a row (<tr>) has the
    employee's name (a link to their page) and number, then a cell per requirement. With `may_gap`, a
    missing or expired cell has the checkbox that selects the employee for a training of
    that requirement."""
    # an employee's link: url_for once, around a stand-in id replaced per row (url_for costs)
    before, _, after = url_for("coverage.employee", employee_id=_STAND_IN).partition(str(_STAND_IN))
    plain: dict = {}
    names = [str(escape(r.name)) for r in m.columns]
    ids = [r.id for r in m.columns]

    def cell(c) -> str:
        key = (c.state, c.expires, c.evidence.on if c.evidence is not None else None)
        html = plain.get(key)
        if html is None:
            if c.expires:
                when = f"<br><small>至{c.expires.isoformat()}</small>"  # YYYY-MM-DD
            elif c.evidence:
                when = f"<br><small>{c.evidence.on.isoformat()}</small>"
            else:
                when = ""
            html = plain[key] = f'<td class="cov cv-{c.state}">{LABELS[c.state]}{when}'
        return html

    def row_html(row) -> str:
        e = row["employee"]
        name = str(escape(e.name))
        out = [f'<tr><td class="item-col"><a href="{before}{e.id}{after}">{name}</a> '
               f'<small class="muted">{escape(e.employee_no)}</small></td>']
        for i, c, width in row["spans"]:
            if c.state == NA:
                out.append(f'<td class="cov cv-na" colspan="{width}">—</td>' if width > 1 else '<td class="cov cv-na">—</td>')
                continue
            out.append(cell(c))
            if may_gap and c.state in (MISSING, EXPIRED):
                out.append(f'<br><label class="check"><input type="checkbox" name="employee-{ids[i]}" '
                           f'value="{e.id}" aria-label="选择 {name}（{names[i]}）"></label>')
            out.append("</td>")
        out.append("</tr>")
        return "".join(out)

    def group_rows(group) -> Markup:
        """The rows of a group (a position), each on a line of its own."""
        return joined(f"\n  {row_html(row)}\n  " for row in group["rows"])

    return group_rows
