"""notices: group robot webhooks (企业微信 / 钉钉) and their deliveries

Revision ID: a7c9e1f3d546
Revises: f6b8d0e2c435
Create Date: 2026-11-28 10:40:00
"""
from alembic import op
import sqlalchemy as sa

revision = "a7c9e1f3d546"
down_revision = "f6b8d0e2c435"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "webhook_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["position_id"], ["position.id"], name=op.f("fk_webhook_target_position_id_position")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_target")),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["target_id"], ["webhook_target.id"], name=op.f("fk_webhook_delivery_target_id_webhook_target")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    op.create_index(op.f("ix_webhook_delivery_target_id"), "webhook_delivery", ["target_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_webhook_delivery_target_id"), table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_table("webhook_target")
