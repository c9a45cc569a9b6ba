"""supplies: kept stock per item and the balance after each ledger row

Stock pages read these instead of adding up the whole ledger. Both are backfilled from
the ledger (balances in row order), and the database refuses a stock below zero.

Revision ID: a1c0f3b9d201
Revises: 2d9d46f48dd0
Create Date: 2026-11-28 08:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "a1c0f3b9d201"
down_revision = "2d9d46f48dd0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stock_entry") as batch_op:
        batch_op.add_column(sa.Column("balance", sa.Integer(), nullable=False, server_default="0"))
        batch_op.drop_index("ix_stock_entry_employee_id")
        batch_op.create_index("ix_stock_entry_employee_at", ["employee_id", "at"], unique=False)
        batch_op.create_index("ix_stock_entry_item_id", ["item_id", "id"], unique=False)
    op.execute(
        "UPDATE stock_entry SET balance = r.b FROM "
        "(SELECT id, SUM(qty) OVER (PARTITION BY item_id ORDER BY id) AS b FROM stock_entry) AS r "
        "WHERE r.id = stock_entry.id"
    )
    with op.batch_alter_table("supply_item") as batch_op:
        batch_op.add_column(sa.Column("stock", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE supply_item SET stock = COALESCE("
        "(SELECT SUM(qty) FROM stock_entry WHERE stock_entry.item_id = supply_item.id), 0)"
    )
    with op.batch_alter_table("supply_item") as batch_op:
        batch_op.create_check_constraint("stock_nonnegative", "stock >= 0")


def downgrade():
    with op.batch_alter_table("supply_item") as batch_op:
        batch_op.drop_constraint("ck_supply_item_stock_nonnegative", type_="check")
        batch_op.drop_column("stock")
    with op.batch_alter_table("stock_entry") as batch_op:
        batch_op.drop_index("ix_stock_entry_item_id")
        batch_op.drop_index("ix_stock_entry_employee_at")
        batch_op.create_index("ix_stock_entry_employee_id", ["employee_id"], unique=False)
        batch_op.drop_column("balance")
