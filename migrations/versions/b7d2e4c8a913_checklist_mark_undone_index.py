"""checklists: a partial index of the unticked marks, for the overdue list

Revision ID: b7d2e4c8a913
Revises: a1c0f3b9d201
Create Date: 2026-11-28 08:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = "b7d2e4c8a913"
down_revision = "a1c0f3b9d201"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_checklist_mark_undone", "checklist_mark", ["item_id", "period_key"], unique=False,
                    sqlite_where=sa.text("done = 0"), postgresql_where=sa.text("done = false"))


def downgrade():
    op.drop_index("ix_checklist_mark_undone", table_name="checklist_mark")
