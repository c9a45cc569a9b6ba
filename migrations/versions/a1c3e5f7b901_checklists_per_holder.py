"""checklists per holder: an item's target (position / each holder) with its switches,
the subject of each mark, event and value, and who held which position when

Revision ID: a1c3e5f7b901
Revises: b8e2f4a6c913
Create Date: 2026-12-06 16:40:00
"""
from datetime import date

from alembic import op
import sqlalchemy as sa

revision = "a1c3e5f7b901"
down_revision = "b8e2f4a6c913"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checklist_item") as batch:
        batch.add_column(sa.Column("target", sa.String(length=10), nullable=False, server_default="position"))
    op.create_table(
        "checklist_target_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("checklist_item.id"), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("previous", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=10), nullable=False),
        sa.Column("by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_checklist_target_change_item_id", "checklist_target_change", ["item_id"])
    with op.batch_alter_table("checklist_mark") as batch:
        batch.add_column(sa.Column("subject_id", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_constraint("uq_checklist_mark_item_period", type_="unique")
        batch.create_unique_constraint("uq_checklist_mark_occurrence", ["item_id", "period_key", "subject_id"])
    for table in ("checklist_event", "checklist_value"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("subject_id", sa.Integer(), nullable=False, server_default="0"))
    # The done marks, covering what the overdue figures count per occurrence.
    op.create_index("ix_checklist_mark_done", "checklist_mark", ["item_id", "period_key", "subject_id"],
                    sqlite_where=sa.text("done = 1"), postgresql_where=sa.text("done = true"))
    op.create_table(
        "position_tenure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("employee_id", sa.Integer(), sa.ForeignKey("employee.id"), nullable=False),
        sa.Column("position_id", sa.Integer(), sa.ForeignKey("position.id"), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
    )
    op.create_index("ix_position_tenure_employee_id", "position_tenure", ["employee_id"])
    op.create_index("ix_position_tenure_position", "position_tenure", ["position_id", "start"])
    # Today's holders held their position since their hire date (or since they were
    # entered); those already inactive until their record last changed.
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, position_id, hire_date, created_at, updated_at, active FROM employee "
        "WHERE position_id IS NOT NULL")).all()
    tenure = sa.table("position_tenure", sa.column("employee_id", sa.Integer), sa.column("position_id", sa.Integer),
                      sa.column("start", sa.Date), sa.column("end", sa.Date))

    def day(value):
        if value is None:
            return None
        if isinstance(value, str):
            return date.fromisoformat(value[:10])
        return value if type(value) is date else value.date()

    values = []
    for r in rows:
        start = day(r.hire_date) or day(r.created_at) or date.today()
        end = None if r.active else max(start, day(r.updated_at) or start)
        values.append({"employee_id": r.id, "position_id": r.position_id, "start": start, "end": end})
    if values:
        op.bulk_insert(tenure, values)


def downgrade():
    op.drop_index("ix_position_tenure_position", table_name="position_tenure")
    op.drop_index("ix_position_tenure_employee_id", table_name="position_tenure")
    op.drop_table("position_tenure")
    op.drop_index("ix_checklist_mark_done", table_name="checklist_mark")
    for table in ("checklist_value", "checklist_event"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("subject_id")
    with op.batch_alter_table("checklist_mark") as batch:
        batch.drop_constraint("uq_checklist_mark_occurrence", type_="unique")
        batch.create_unique_constraint("uq_checklist_mark_item_period", ["item_id", "period_key"])
        batch.drop_column("subject_id")
    op.drop_index("ix_checklist_target_change_item_id", table_name="checklist_target_change")
    op.drop_table("checklist_target_change")
    with op.batch_alter_table("checklist_item") as batch:
        batch.drop_column("target")
