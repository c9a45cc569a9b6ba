"""notices: 站内通知, one per user and event key

Revision ID: e5a7c9d1b324
Revises: d4f6b8e0a213
Create Date: 2026-11-28 10:20:00
"""
from alembic import op
import sqlalchemy as sa

revision = "e5a7c9d1b324"
down_revision = "d4f6b8e0a213"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_notice_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
        sa.UniqueConstraint("user_id", "key", name="uq_notice_user_key"),
    )
    op.create_index("ix_notice_user_unread", "notice", ["user_id", "read_at"], unique=False)


def downgrade():
    op.drop_index("ix_notice_user_unread", table_name="notice")
    op.drop_table("notice")
