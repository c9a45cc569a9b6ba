"""equipment, second slice: checklist items for each piece of equipment (target scope,
fields whose 否 is a fault), the item's photo, fault reports (故障报修) with photos

Revision ID: d7e9f1a3b546
Revises: c9e1a3b5d725
Create Date: 2026-12-06 19:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "d7e9f1a3b546"
down_revision = "c9e1a3b5d725"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checklist_item") as batch:
        batch.add_column(sa.Column("target_scope", sa.String(length=200), nullable=False, server_default=""))
    with op.batch_alter_table("checklist_field") as batch:
        batch.add_column(sa.Column("fault_on_no", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("equipment") as batch:
        batch.add_column(sa.Column("photo_key", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("open_faults", sa.Integer(), nullable=False, server_default="0"))

    op.create_table(
        "equipment_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=False),
        sa.Column("file_key", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["equipment_id"], ["equipment.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_equipment_photo_item", "equipment_photo", ["equipment_id", "id"])

    op.create_table(
        "equipment_fault",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("check_item_id", sa.Integer(), nullable=True),
        sa.Column("check_period", sa.String(length=12), nullable=False),
        sa.Column("repaired_by", sa.String(length=80), nullable=False),
        sa.Column("repaired_on", sa.Date(), nullable=True),
        sa.Column("cost", sa.Float(), nullable=True),
        sa.Column("parts", sa.String(length=500), nullable=False),
        sa.Column("result", sa.String(length=500), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["equipment_id"], ["equipment.id"]),
        sa.ForeignKeyConstraint(["reported_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["closed_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["check_item_id"], ["checklist_item.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_equipment_fault_item", "equipment_fault", ["equipment_id", "id"])
    op.create_index("ix_equipment_fault_state", "equipment_fault", ["state", "equipment_id"])

    op.create_table(
        "equipment_fault_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fault_id", sa.Integer(), nullable=False),
        sa.Column("file_key", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["fault_id"], ["equipment_fault.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_equipment_fault_photo_fault_id", "equipment_fault_photo", ["fault_id"])


def downgrade():
    op.drop_index("ix_equipment_fault_photo_fault_id", table_name="equipment_fault_photo")
    op.drop_table("equipment_fault_photo")
    op.drop_index("ix_equipment_fault_state", table_name="equipment_fault")
    op.drop_index("ix_equipment_fault_item", table_name="equipment_fault")
    op.drop_table("equipment_fault")
    op.drop_index("ix_equipment_photo_item", table_name="equipment_photo")
    op.drop_table("equipment_photo")
    with op.batch_alter_table("equipment") as batch:
        batch.drop_column("open_faults")
        batch.drop_column("photo_key")
    with op.batch_alter_table("checklist_field") as batch:
        batch.drop_column("fault_on_no")
    with op.batch_alter_table("checklist_item") as batch:
        batch.drop_column("target_scope")
