"""equipment: loans (借用/归还) with the pieces lent kept on the item, and counts (盘点)
with their lines

Revision ID: d3a5b7c9e125
Revises: d7e9f1a3b546
Create Date: 2026-12-06 18:50:00
"""
from alembic import op
import sqlalchemy as sa

revision = "d3a5b7c9e125"
down_revision = "d7e9f1a3b546"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("equipment") as batch:
        batch.add_column(sa.Column("lent_qty", sa.Integer(), nullable=False, server_default="0"))

    op.create_table(
        "equipment_loan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=False),
        sa.Column("borrower_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("lent_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("lent_by_id", sa.Integer(), nullable=True),
        sa.Column("lent_at", sa.DateTime(), nullable=False),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("returned_by_id", sa.Integer(), nullable=True),
        sa.Column("condition", sa.String(length=10), nullable=False),
        sa.Column("missing_qty", sa.Integer(), nullable=False),
        sa.Column("return_note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["equipment_id"], ["equipment.id"], name=op.f("fk_equipment_loan_equipment_id_equipment")),
        sa.ForeignKeyConstraint(["borrower_id"], ["employee.id"], name=op.f("fk_equipment_loan_borrower_id_employee")),
        sa.ForeignKeyConstraint(["lent_by_id"], ["user.id"], name=op.f("fk_equipment_loan_lent_by_id_user")),
        sa.ForeignKeyConstraint(["returned_by_id"], ["user.id"], name=op.f("fk_equipment_loan_returned_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_loan")),
    )
    op.create_index("ix_equipment_loan_item", "equipment_loan", ["equipment_id", "returned_at"])
    op.create_index("ix_equipment_loan_borrower", "equipment_loan", ["borrower_id", "returned_at"])
    op.create_index("ix_equipment_loan_open_due", "equipment_loan", ["returned_at", "due_on"])

    op.create_table(
        "equipment_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("scope_value", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_name", sa.String(length=40), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["started_by_id"], ["user.id"], name=op.f("fk_equipment_count_started_by_id_user")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["user.id"], name=op.f("fk_equipment_count_closed_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_count")),
    )
    op.create_index("ix_equipment_count_scope", "equipment_count", ["scope", "scope_value", "status"])

    op.create_table(
        "equipment_count_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=True),
        sa.Column("expected", sa.Boolean(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("expected_qty", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.Column("counted_qty", sa.Integer(), nullable=True),
        sa.Column("found_location", sa.String(length=60), nullable=False),
        sa.Column("explanation", sa.String(length=500), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["count_id"], ["equipment_count.id"], name=op.f("fk_equipment_count_line_count_id_equipment_count")),
        sa.ForeignKeyConstraint(["equipment_id"], ["equipment.id"], name=op.f("fk_equipment_count_line_equipment_id_equipment")),
        sa.ForeignKeyConstraint(["by_id"], ["user.id"], name=op.f("fk_equipment_count_line_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_count_line")),
    )
    op.create_index("ix_equipment_count_line_count", "equipment_count_line", ["count_id", "id"])
    op.create_index("ix_equipment_count_line_item", "equipment_count_line", ["equipment_id"])


def downgrade():
    op.drop_table("equipment_count_line")
    op.drop_table("equipment_count")
    op.drop_table("equipment_loan")
    with op.batch_alter_table("equipment") as batch:
        batch.drop_column("lent_qty")
