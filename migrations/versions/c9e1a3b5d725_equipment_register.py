"""equipment: the register of workshop equipment and tools, its history and verifications
(检定/校准); the capability 可管理设备 on accounts

Revision ID: c9e1a3b5d725
Revises: c2d4e6f8a024
Create Date: 2026-12-06 17:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "c9e1a3b5d725"
down_revision = "c2d4e6f8a024"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("can_manage_equipment", sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table(
        "equipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_no", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("maker", sa.String(length=60), nullable=False),
        sa.Column("serial_no", sa.String(length=60), nullable=False),
        sa.Column("location", sa.String(length=60), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("purchased_on", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("state_since", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("needs_verification", sa.Boolean(), nullable=False),
        sa.Column("verify_months", sa.Integer(), nullable=True),
        sa.Column("last_verified_on", sa.Date(), nullable=True),
        sa.Column("last_result", sa.String(length=10), nullable=False),
        sa.Column("verification_due", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["responsible_id"], ["employee.id"], name=op.f("fk_equipment_responsible_id_employee")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment")),
    )
    op.create_index("ix_equipment_state_category", "equipment", ["state", "category"])
    op.create_index("uq_equipment_asset_no_lower", "equipment", [sa.text("lower(asset_no)")], unique=True)
    op.create_index(op.f("ix_equipment_responsible_id"), "equipment", ["responsible_id"])
    op.create_index(op.f("ix_equipment_verification_due"), "equipment", ["verification_due"])

    op.create_table(
        "equipment_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("state_from", sa.String(length=10), nullable=False),
        sa.Column("state_to", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["equipment_id"], ["equipment.id"], name=op.f("fk_equipment_event_equipment_id_equipment")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_equipment_event_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_event")),
    )
    op.create_index("ix_equipment_event_item", "equipment_event", ["equipment_id", "id"])

    op.create_table(
        "equipment_verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=False),
        sa.Column("body", sa.String(length=80), nullable=False),
        sa.Column("cert_no", sa.String(length=60), nullable=False),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("scan_key", sa.String(length=32), nullable=True),
        sa.Column("scan_kind", sa.String(length=10), nullable=False),
        sa.Column("scan_name", sa.String(length=120), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["equipment_id"], ["equipment.id"],
                                name=op.f("fk_equipment_verification_equipment_id_equipment")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_equipment_verification_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_verification")),
    )
    op.create_index("ix_equipment_verification_item", "equipment_verification", ["equipment_id", "verified_on"])


def downgrade():
    op.drop_table("equipment_verification")
    op.drop_table("equipment_event")
    op.drop_table("equipment")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("can_manage_equipment")
