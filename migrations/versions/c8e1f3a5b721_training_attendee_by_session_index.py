"""training_attendee: an index by session, sign-in state and employee, so that the
coverage matrix reads a year of sessions' attendances without a table lookup per row
(and the workspace's "nobody signed in" test is one index probe)

Revision ID: c8e1f3a5b721
Revises: e1f2a3b4c527
Create Date: 2026-12-06 21:45:00
"""
from alembic import op

revision = "c8e1f3a5b721"
down_revision = "e1f2a3b4c527"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_training_attendee_session_signed", "training_attendee",
                    ["training_id", "status", "passed", "employee_id"], unique=False)


def downgrade():
    op.drop_index("ix_training_attendee_session_signed", table_name="training_attendee")
