"""trainings: a covering index for the coverage evidence (each employee's signed attendances)

Revision ID: c2d4e6f8a024
Revises: a1c3e5f7b901
Create Date: 2026-12-06 17:35:00
"""
from alembic import op

revision = "c2d4e6f8a024"
down_revision = "a1c3e5f7b901"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_training_attendee_evidence", "training_attendee",
                    ["employee_id", "status", "training_id", "passed"])


def downgrade():
    op.drop_index("ix_training_attendee_evidence", table_name="training_attendee")
