"""checklists: self-check (自查) by the holder and its review (核查) on each mark

Revision ID: f6b8d0e2c435
Revises: e5a7c9d1b324
Create Date: 2026-11-28 10:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = "f6b8d0e2c435"
down_revision = "e5a7c9d1b324"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checklist_mark") as batch:
        batch.add_column(sa.Column("self_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("self_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("self_note", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("review", sa.String(length=10), nullable=False, server_default=""))
        batch.add_column(sa.Column("review_note", sa.String(length=200), nullable=False, server_default=""))
        batch.create_foreign_key("fk_checklist_mark_self_by_id_user", "user", ["self_by_id"], ["id"])


def downgrade():
    with op.batch_alter_table("checklist_mark") as batch:
        batch.drop_constraint("fk_checklist_mark_self_by_id_user", type_="foreignkey")
        batch.drop_column("review_note")
        batch.drop_column("review")
        batch.drop_column("self_note")
        batch.drop_column("self_at")
        batch.drop_column("self_by_id")
