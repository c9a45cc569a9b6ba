"""HTML written in Python for the few long lists where a Jinja loop costs more than the
database work (the month grid's day cells, the coverage matrix's rows, and select_options
for the pickers of hundreds of people).

Each caller writes constant markup around values it passes through markupsafe.escape;
`joined` marks the result safe for the templates. It is the one place that calls Markup
on a computed string (bandit's B704), so that rule is reviewed here, not at every list;
Markup.format would escape for us but costs ten times the whole grid."""
from markupsafe import Markup, escape


def joined(parts) -> Markup:
    """The parts, each already escaped by the caller, as one safe string."""
    return Markup("".join(parts))  # nosec B704: every value in `parts` is escaped by its caller


def select_options(choices, selected=None) -> Markup:
    """The <option>s of (value, label) pairs, the one equal to `selected` marked: a
    manager's person picker and the attendee and mentor pickers list everyone."""
    chosen = None if selected is None else str(selected)
    return joined(f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>'
                  f'{escape(label)}</option>' for value, label in choices)
