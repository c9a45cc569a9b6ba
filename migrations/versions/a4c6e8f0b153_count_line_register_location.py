"""equipment counts: each line keeps the register's location of its item when it was listed
or scanned, so a closed count's record shows what was counted against, not the location
its close corrected

Revision ID: a4c6e8f0b153
Revises: f1a3c5e7b942
Create Date: 2026-12-07 22:05:00
"""
from alembic import op
import sqlalchemy as sa

revision = "a4c6e8f0b153"
down_revision = "f1a3c5e7b942"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("equipment_count_line") as batch:
        batch.add_column(sa.Column("register_location", sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table("equipment_count_line") as batch:
        batch.drop_column("register_location")
