"""notices: when the event a notice was about was dealt with (by whoever), so the list can
say 已处理 instead of still asking

Revision ID: f1a3c5e7b942
Revises: b2d4f6a8c013
Create Date: 2026-12-07 21:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = "f1a3c5e7b942"
down_revision = "b2d4f6a8c013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notice") as batch:
        batch.add_column(sa.Column("settled_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("notice") as batch:
        batch.drop_column("settled_at")
