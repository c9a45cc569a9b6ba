"""checklist_tally: the done count of each occurrence, kept by triggers on checklist_mark

The overdue figures (every supervisor's workspace, the overdue list) counted the done marks
of two months of occurrences with a GROUP BY over every person's mark (some 20,000 rows at
three years). The tally is that count kept in the same write, by the database itself, so it
also follows the demo's bulk inserts and changes made by SQL by hand.

Revision ID: e1f2a3b4c527
Revises: d1a2b3c4e526
Create Date: 2026-12-06 21:40:00
"""
from alembic import op
import sqlalchemy as sa

revision = "e1f2a3b4c527"
down_revision = "d1a2b3c4e526"
branch_labels = None
depends_on = None

SQLITE = [
    """CREATE TRIGGER checklist_tally_insert AFTER INSERT ON checklist_mark WHEN NEW.done
    BEGIN
      INSERT INTO checklist_tally (item_id, period_key, due_at, done)
      VALUES (NEW.item_id, NEW.period_key, NEW.due_at, 1)
      ON CONFLICT (item_id, period_key) DO UPDATE SET done = done + 1;
    END""",
    """CREATE TRIGGER checklist_tally_delete AFTER DELETE ON checklist_mark WHEN OLD.done
    BEGIN
      UPDATE checklist_tally SET done = done - 1 WHERE item_id = OLD.item_id AND period_key = OLD.period_key;
    END""",
    """CREATE TRIGGER checklist_tally_update AFTER UPDATE OF done, item_id, period_key ON checklist_mark
    BEGIN
      UPDATE checklist_tally SET done = done - 1
       WHERE OLD.done AND item_id = OLD.item_id AND period_key = OLD.period_key;
      INSERT INTO checklist_tally (item_id, period_key, due_at, done)
      SELECT NEW.item_id, NEW.period_key, NEW.due_at, 1 WHERE NEW.done
      ON CONFLICT (item_id, period_key) DO UPDATE SET done = done + 1;
    END""",
]

POSTGRESQL = [
    """CREATE FUNCTION checklist_tally_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.done THEN
        UPDATE checklist_tally SET done = done - 1 WHERE item_id = OLD.item_id AND period_key = OLD.period_key;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.done THEN
        INSERT INTO checklist_tally (item_id, period_key, due_at, done)
        VALUES (NEW.item_id, NEW.period_key, NEW.due_at, 1)
        ON CONFLICT (item_id, period_key) DO UPDATE SET done = checklist_tally.done + 1;
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER checklist_tally_sync AFTER INSERT OR DELETE OR UPDATE OF done, item_id, period_key
    ON checklist_mark FOR EACH ROW EXECUTE FUNCTION checklist_tally_sync()""",
]


def upgrade():
    op.create_table(
        "checklist_tally",
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("period_key", sa.String(length=12), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("item_id", "period_key", name=op.f("pk_checklist_tally")),
    )
    op.create_index("ix_checklist_tally_item_due", "checklist_tally", ["item_id", "due_at"])
    op.execute("INSERT INTO checklist_tally (item_id, period_key, due_at, done) "
               "SELECT item_id, period_key, MIN(due_at), COUNT(*) FROM checklist_mark "
               "WHERE done = true GROUP BY item_id, period_key")
    for statement in (POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER checklist_tally_sync ON checklist_mark")
        op.execute("DROP FUNCTION checklist_tally_sync()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER checklist_tally_{name}")
    op.drop_index("ix_checklist_tally_item_due", table_name="checklist_tally")
    op.drop_table("checklist_tally")
