"""HTML written in Python for the few long lists where a Jinja loop costs more than the
database work (the month grid's day cells, the coverage matrix's rows, the pickers of
hundreds of people).

Each caller writes constant markup around values it passes through markupsafe.escape;
`joined` marks the result safe for the templates. It is the one place that calls Markup
on a computed string (bandit's B704), so that rule is reviewed here, not at every list;
Markup.format would escape for us but costs ten times the whole grid."""
from markupsafe import Markup


def joined(parts) -> Markup:
    """The parts, each already escaped by the caller, as one safe string."""
    return Markup("".join(parts))  # nosec B704: every value in `parts` is escaped by its caller
