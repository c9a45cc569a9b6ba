"""indexes for the workspace: the coverage evidence (each employee's signed attendances) and
the self-checks waiting for confirmation

Revision ID: c2d4e6f8a024
Revises: a1c3e5f7b901
Create Date: 2026-12-06 17:35:00
"""
from alembic import op
import sqlalchemy as sa

revision = "c2d4e6f8a024"
down_revision = "a1c3e5f7b901"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_training_attendee_evidence", "training_attendee",
                    ["employee_id", "status", "training_id", "passed"])
    op.create_index("ix_checklist_mark_pending", "checklist_mark", ["item_id", "self_at"],
                    sqlite_where=sa.text("review = 'pending'"), postgresql_where=sa.text("review = 'pending'"))


def downgrade():
    op.drop_index("ix_checklist_mark_pending", table_name="checklist_mark")
    op.drop_index("ix_training_attendee_evidence", table_name="training_attendee")
