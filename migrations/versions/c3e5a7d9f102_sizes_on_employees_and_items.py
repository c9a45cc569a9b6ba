"""sizes: clothing and shoe sizes on employees, size-varying supply items

Revision ID: c3e5a7d9f102
Revises: b7d2e4c8a913
Create Date: 2026-11-28 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "c3e5a7d9f102"
down_revision = "b7d2e4c8a913"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("employee") as batch:
        batch.add_column(sa.Column("clothing_size", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("shoe_size", sa.String(length=10), nullable=True))
    with op.batch_alter_table("supply_item") as batch:
        batch.add_column(sa.Column("size_kind", sa.String(length=10), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("supply_item") as batch:
        batch.drop_column("size_kind")
    with op.batch_alter_table("employee") as batch:
        batch.drop_column("shoe_size")
        batch.drop_column("clothing_size")
