"""webhook deliveries as an outbox (claimed by the worker, leased, retried); job runs

Revision ID: b8e2f4a6c913
Revises: eaef7f0b335e
Create Date: 2026-12-06 16:20:00
"""
from alembic import op
import sqlalchemy as sa

revision = "b8e2f4a6c913"
down_revision = "eaef7f0b335e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("webhook_delivery") as batch:
        batch.add_column(sa.Column("next_try_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.String(length=32), nullable=False, server_default=""))
        batch.add_column(sa.Column("finished_at", sa.DateTime(), nullable=True))
    op.create_index("ix_webhook_delivery_status_next", "webhook_delivery", ["status", "next_try_at"], unique=False)
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=40), nullable=False),
        sa.Column("slot", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("result", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_run")),
        sa.UniqueConstraint("job", "slot", name="uq_job_run_job_slot"),
    )


def downgrade():
    op.drop_table("job_run")
    op.drop_index("ix_webhook_delivery_status_next", table_name="webhook_delivery")
    with op.batch_alter_table("webhook_delivery") as batch:
        batch.drop_column("finished_at")
        batch.drop_column("claimed_by")
        batch.drop_column("lease_until")
        batch.drop_column("next_try_at")
