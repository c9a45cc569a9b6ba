"""coverage: the onboarding steps still unfinished when a new hire was signed off (上岗确认),
kept with the sign-off for its print-out

Revision ID: b2d4f6a8c013
Revises: e8f0a2c4d631
Create Date: 2026-12-08 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "b2d4f6a8c013"
down_revision = "e8f0a2c4d631"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("onboarding") as batch:
        batch.add_column(sa.Column("sign_off_open", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("onboarding") as batch:
        batch.drop_column("sign_off_open")
