"""QR labels: the address of an item's page as a QR code (segno, a well-kept encoder), on
A4 sheets of labels. Scanning one with a phone's camera opens the item's page (after login)."""
import segno
from flask import current_app, request, url_for

from app import clock
from app.equipment.checks import FLAGS
from app.equipment.rules import verification_state
from app.printing import render_pdf


def item_url(item) -> str:
    """The item's page as a full address: PUBLIC_URL when set (the address people's phones
    reach, e.g. behind a proxy), else the address of this request."""
    base = (current_app.config.get("PUBLIC_URL") or request.url_root).rstrip("/")
    return base + url_for("equipment.item", item_id=item.id)


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI (no file, nothing fetched while printing)."""
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=2)


def labels_pdf(items) -> bytes:
    urls = {e.id: item_url(e) for e in items}
    today = clock.local_now().date()
    # issue 25b: an expired (or failed) verification is printed on the label too
    flags = {e.id: FLAGS.get(verification_state(e, today) or "", "") for e in items}
    return render_pdf("print/equipment_labels.html", items=list(items), urls=urls,
                      qr={i: qr_data_uri(u) for i, u in urls.items()}, flags=flags)
