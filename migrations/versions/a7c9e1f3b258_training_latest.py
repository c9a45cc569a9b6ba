"""training_latest: each employee's latest held session per training category, kept by
triggers on training_attendee and training

The coverage matrix and the trainings expiring (every training clerk's and admin's
workspace) need, per employee and category, the date of the latest held session he signed
in to and did not fail. Read from the attendances, that is a GROUP BY over three years of
them (two statements, 4-5 ms on PostgreSQL at three years). Kept in the same write, by the
database itself, it is one indexed read, and it follows every change however it is made:
a sign-in in the app, the demo's bulk inserts, or SQL by hand.

How the triggers keep it (the same rules on both databases):
- a qualifying attendance appears (signed in, not failed, the session held): the pair's
  date becomes the later of the two (an upsert: concurrent writers commute);
- one goes away or stops qualifying, or a held session changes date, category or state:
  the pair's date is computed again from the attendances. On PostgreSQL the pair's row is
  locked first, and the new date computed by a later statement, so that it sees what a
  concurrent writer committed meanwhile (READ COMMITTED: a fresh snapshot per statement);
  an upsert waiting on that lock applies its date to the row as recomputed.

Revision ID: a7c9e1f3b258
Revises: f3c5a7e9b142
Create Date: 2026-12-07 08:40:00
"""
from alembic import op
import sqlalchemy as sa

revision = "a7c9e1f3b258"
down_revision = "f3c5a7e9b142"
branch_labels = None
depends_on = None

# What an attendance needs to count (a: training_attendee, t: training).
QUALIFIES = "a.employee_id IS NOT NULL AND a.status = 'signed' AND a.passed IS NOT FALSE AND t.status = 'done'"
LATEST_OF = ("SELECT max(t.held_on) FROM training_attendee a JOIN training t ON t.id = a.training_id "
             "WHERE a.employee_id = {emp} AND t.category_id = {cat} AND " + QUALIFIES)

# SQLite's trigger bodies: the date of the row's own pair computed again; the pair of the
# attendance as it was (OLD) computed again, and the row gone if nothing counts any more;
# the attendance as it is now (NEW) counted, keeping the later date.
LATEST_OF_ROW = LATEST_OF.format(emp="training_latest.employee_id", cat="training_latest.category_id")
RECOMPUTE_OLD_PAIR = f"""      UPDATE training_latest SET held_on = ({LATEST_OF_ROW})
       WHERE employee_id = OLD.employee_id
         AND category_id = (SELECT category_id FROM training WHERE id = OLD.training_id);
      DELETE FROM training_latest WHERE employee_id = OLD.employee_id AND held_on IS NULL;"""
ADD_NEW_ATTENDANCE = f"""      INSERT INTO training_latest (employee_id, category_id, held_on)
      SELECT a.employee_id, t.category_id, t.held_on FROM training_attendee a JOIN training t ON t.id = a.training_id
       WHERE a.id = NEW.id AND {QUALIFIES}
      ON CONFLICT (employee_id, category_id) DO UPDATE SET held_on = max(held_on, excluded.held_on);"""

SQLITE = [
    f"""CREATE TRIGGER training_latest_attendee_insert AFTER INSERT ON training_attendee
    BEGIN
{ADD_NEW_ATTENDANCE}
    END""",
    f"""CREATE TRIGGER training_latest_attendee_delete AFTER DELETE ON training_attendee
    WHEN OLD.employee_id IS NOT NULL
    BEGIN
{RECOMPUTE_OLD_PAIR}
    END""",
    f"""CREATE TRIGGER training_latest_attendee_update
    AFTER UPDATE OF employee_id, training_id, status, passed ON training_attendee
    BEGIN
{RECOMPUTE_OLD_PAIR}
{ADD_NEW_ATTENDANCE}
    END""",
    f"""CREATE TRIGGER training_latest_training_update AFTER UPDATE OF status, held_on, category_id ON training
    BEGIN
      UPDATE training_latest SET held_on = ({LATEST_OF_ROW})
       WHERE category_id = OLD.category_id
         AND employee_id IN (SELECT employee_id FROM training_attendee WHERE training_id = OLD.id);
      DELETE FROM training_latest WHERE category_id = OLD.category_id AND held_on IS NULL;
      INSERT INTO training_latest (employee_id, category_id, held_on)
      SELECT DISTINCT a.employee_id, t.category_id, t.held_on FROM training_attendee a JOIN training t ON t.id = a.training_id
       WHERE t.id = NEW.id AND {QUALIFIES}
      ON CONFLICT (employee_id, category_id) DO UPDATE SET held_on = max(held_on, excluded.held_on);
    END""",
    f"""CREATE TRIGGER training_latest_training_delete AFTER DELETE ON training
    BEGIN
      UPDATE training_latest SET held_on = ({LATEST_OF_ROW})
       WHERE category_id = OLD.category_id AND held_on = OLD.held_on;
      DELETE FROM training_latest WHERE category_id = OLD.category_id AND held_on IS NULL;
    END""",
]

POSTGRESQL = [
    f"""CREATE FUNCTION training_latest_recompute(emp integer, cat integer) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      -- lock the pair's row first: the next statement's snapshot then holds what a writer
      -- that had it locked committed
      PERFORM 1 FROM training_latest WHERE employee_id = emp AND category_id = cat FOR UPDATE;
      UPDATE training_latest SET held_on = ({LATEST_OF.format(emp="emp", cat="cat")})
       WHERE employee_id = emp AND category_id = cat;
      DELETE FROM training_latest WHERE employee_id = emp AND category_id = cat AND held_on IS NULL;
    END $$""",
    f"""CREATE FUNCTION training_latest_add(attendee integer, session integer) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      -- one attendance, or every attendance of one session (in the employees' order)
      IF attendee IS NOT NULL THEN
        INSERT INTO training_latest (employee_id, category_id, held_on)
        SELECT a.employee_id, t.category_id, t.held_on FROM training_attendee a JOIN training t ON t.id = a.training_id
         WHERE a.id = attendee AND {QUALIFIES}
        ON CONFLICT (employee_id, category_id)
        DO UPDATE SET held_on = GREATEST(training_latest.held_on, EXCLUDED.held_on);
      ELSE
        INSERT INTO training_latest (employee_id, category_id, held_on)
        SELECT DISTINCT a.employee_id, t.category_id, t.held_on FROM training_attendee a JOIN training t ON t.id = a.training_id
         WHERE t.id = session AND {QUALIFIES} ORDER BY a.employee_id
        ON CONFLICT (employee_id, category_id)
        DO UPDATE SET held_on = GREATEST(training_latest.held_on, EXCLUDED.held_on);
      END IF;
    END $$""",
    """CREATE FUNCTION training_latest_attendee_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.employee_id IS NOT NULL THEN
        PERFORM training_latest_recompute(OLD.employee_id, t.category_id) FROM training t WHERE t.id = OLD.training_id;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM training_latest_add(NEW.id, NULL);
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER training_latest_attendee_sync
    AFTER INSERT OR DELETE OR UPDATE OF employee_id, training_id, status, passed ON training_attendee
    FOR EACH ROW EXECUTE FUNCTION training_latest_attendee_sync()""",
    """CREATE FUNCTION training_latest_training_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        PERFORM training_latest_recompute(l.employee_id, l.category_id)
           FROM (SELECT employee_id, category_id FROM training_latest
                  WHERE category_id = OLD.category_id AND held_on = OLD.held_on ORDER BY employee_id) l;
        RETURN NULL;
      END IF;
      -- in the employees' order, as every writer locks pairs
      PERFORM training_latest_recompute(e.employee_id, OLD.category_id)
         FROM (SELECT DISTINCT employee_id FROM training_attendee
                WHERE training_id = OLD.id AND employee_id IS NOT NULL ORDER BY employee_id) e;
      PERFORM training_latest_add(NULL, NEW.id);
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER training_latest_training_sync
    AFTER DELETE OR UPDATE OF status, held_on, category_id ON training
    FOR EACH ROW EXECUTE FUNCTION training_latest_training_sync()""",
]


def upgrade():
    op.create_table(
        "training_latest",
        sa.Column("employee_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("category_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),  # NULL only inside a trigger, before the row goes
        sa.PrimaryKeyConstraint("employee_id", "category_id", name=op.f("pk_training_latest")),
    )
    op.execute("INSERT INTO training_latest (employee_id, category_id, held_on) "
               "SELECT a.employee_id, t.category_id, max(t.held_on) FROM training_attendee a "
               f"JOIN training t ON t.id = a.training_id WHERE {QUALIFIES} GROUP BY a.employee_id, t.category_id")
    for statement in (POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER training_latest_training_sync ON training")
        op.execute("DROP TRIGGER training_latest_attendee_sync ON training_attendee")
        for name in ("training_latest_training_sync()", "training_latest_attendee_sync()",
                     "training_latest_add(integer, integer)", "training_latest_recompute(integer, integer)"):
            op.execute(f"DROP FUNCTION {name}")
    else:
        for name in ("attendee_insert", "attendee_delete", "attendee_update", "training_update", "training_delete"):
            op.execute(f"DROP TRIGGER training_latest_{name}")
    op.drop_table("training_latest")
