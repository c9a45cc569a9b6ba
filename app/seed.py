"""Loads the shipped handbook (positions, reporting lines, duties) into the database."""
from app.audit.log import record
from app.org.seed import load_positions, read_seed


def load_seed() -> dict:
    data = read_seed()
    created = load_positions(data)
    if created:
        record("seed_load", "position", None,
               summary=f"载入岗位 {len(created)} 个：" + "、".join(p.title for p in created))
    return {"positions": len(created)}
