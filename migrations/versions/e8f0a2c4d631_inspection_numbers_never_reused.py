"""inspections: on SQLite, an inspection's number is never handed out again (AUTOINCREMENT),
so a deleted draft's number, named in the audit log, does not come back on a new inspection

Revision ID: e8f0a2c4d631
Revises: c4e6a8b0d217
Create Date: 2026-12-07 20:50:00
"""
from alembic import op

revision = "e8f0a2c4d631"
down_revision = "c4e6a8b0d217"
branch_labels = None
depends_on = None


def _rebuild(autoincrement: bool) -> None:
    # Without AUTOINCREMENT SQLite gives a new row the largest id + 1, so deleting the newest
    # draft frees its number. The table is rebuilt with its indexes; migrations/env.py keeps
    # foreign keys off meanwhile (answers, photos and actions refer to it). PostgreSQL's
    # sequences never hand a number out twice: nothing to do there.
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("inspection", recreate="always",
                              table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass


def upgrade():
    _rebuild(True)


def downgrade():
    _rebuild(False)
