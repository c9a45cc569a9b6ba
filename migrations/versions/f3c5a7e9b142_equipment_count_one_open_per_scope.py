"""equipment_count: at most one open count per location / category (a unique partial
index), so that two clerks starting the same count at once get one count, not two

Revision ID: f3c5a7e9b142
Revises: d2b4f6a8c913
Create Date: 2026-12-07 00:10:00
"""
from alembic import op
import sqlalchemy as sa

revision = "f3c5a7e9b142"
down_revision = "d2b4f6a8c913"
branch_labels = None
depends_on = None


def upgrade():
    # Counts opened twice before this index existed cannot be merged automatically (each
    # may hold marks): stop with a message that names them, so that one is closed first.
    dupes = op.get_bind().execute(sa.text(
        "SELECT scope, scope_value, COUNT(*) FROM equipment_count WHERE status = 'open' "
        "GROUP BY scope, scope_value HAVING COUNT(*) > 1")).all()
    if dupes:
        raise RuntimeError("Several open equipment counts cover the same scope; close all but one of each first: "
                           + "; ".join(f"{scope}={value} ({n} open)" for scope, value, n in dupes))
    op.create_index("uq_equipment_count_open_scope", "equipment_count", ["scope", "scope_value"], unique=True,
                    sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))


def downgrade():
    op.drop_index("uq_equipment_count_open_scope", table_name="equipment_count")
