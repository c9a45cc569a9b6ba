"""Changes of the org chart as the handbook records them: a new position, a reporting line
added or removed (org/chart.py does the change), each followed by a new handbook revision
of every position concerned, since a line shows on both positions' pages."""
from app.handbook import revisions
from app.org.chart import add_line, create_position, remove_line
from app.org.models import Position, ReportingLine

LINE_NOTE = "调整汇报关系"


def new_position(title: str, department: str, is_external: bool, author) -> Position:
    """A position (org.chart.OrgError for a missing or taken title) and its first revision."""
    position = create_position(title, department, is_external)
    revisions.add_revision(position, author=author, note="新建岗位")
    return position


def add_reporting_line(superior: Position, subordinate: Position, author) -> ReportingLine:
    """`subordinate` reports to `superior` (OrgError for itself, a repeat or a cycle)."""
    line = add_line(superior, subordinate)
    for position in (superior, subordinate):
        revisions.add_revision(position, author=author, note=LINE_NOTE)
    return line


def remove_reporting_line(line: ReportingLine, author) -> None:
    superior, subordinate = line.superior, line.subordinate
    remove_line(line)
    for position in (superior, subordinate):
        revisions.add_revision(position, author=author, note=LINE_NOTE)
