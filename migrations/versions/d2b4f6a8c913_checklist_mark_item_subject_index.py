"""checklist_mark: an index by item, subject and period, so that a few people's marks (a
page of twenty technicians in the month grid, a holder's own lines) are read as one short
range per item and person; PostgreSQL 15 answered the three IN lists on the unique index
with a scan of the whole table

Revision ID: d2b4f6a8c913
Revises: c8e1f3a5b721
Create Date: 2026-12-07 00:40:00
"""
from alembic import op

revision = "d2b4f6a8c913"
down_revision = "c8e1f3a5b721"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_checklist_mark_item_subject", "checklist_mark",
                    ["item_id", "subject_id", "period_key"], unique=False)


def downgrade():
    op.drop_index("ix_checklist_mark_item_subject", table_name="checklist_mark")
