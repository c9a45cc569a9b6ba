"""notices: a partial index of the unread notices by key, for settling an event

Revision ID: c4e6a8b0d217
Revises: a7c9e1f3b258
Create Date: 2026-12-07 18:10:00
"""
from alembic import op
import sqlalchemy as sa

revision = "c4e6a8b0d217"
down_revision = "a7c9e1f3b258"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_notice_unread_key", "notice", ["key"], unique=False,
                    sqlite_where=sa.text("read_at IS NULL"), postgresql_where=sa.text("read_at IS NULL"))


def downgrade():
    op.drop_index("ix_notice_unread_key", table_name="notice")
