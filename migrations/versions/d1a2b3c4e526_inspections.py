"""inspections: versioned templates, inspections with answers and photos, corrective
actions (整改) and their history

Revision ID: d1a2b3c4e526
Revises: d3a5b7c9e125
Create Date: 2026-12-06 18:40:00
"""
from alembic import op
import sqlalchemy as sa

revision = "d1a2b3c4e526"
down_revision = "d3a5b7c9e125"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inspection_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("example", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_template")),
        sa.UniqueConstraint("key", name=op.f("uq_inspection_template_key")),
    )
    op.create_table(
        "inspection_template_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("pass_mark", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["template_id"], ["inspection_template.id"],
                                name=op.f("fk_inspection_template_version_template_id_inspection_template")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"],
                                name=op.f("fk_inspection_template_version_created_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_template_version")),
        sa.UniqueConstraint("template_id", "number", name="uq_inspection_template_version"),
    )
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("area_key", sa.String(length=40), nullable=False),
        sa.Column("area_name", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("section_scores", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["inspection_template_version.id"],
                                name=op.f("fk_inspection_version_id_inspection_template_version")),
        sa.ForeignKeyConstraint(["inspector_id"], ["user.id"], name=op.f("fk_inspection_inspector_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
    )
    op.create_index("ix_inspection_area_submitted", "inspection", ["area_key", "submitted_at"])
    op.create_index("ix_inspection_state_started", "inspection", ["state", "started_at"])
    op.create_index(op.f("ix_inspection_version_id"), "inspection", ["version_id"])
    op.create_index(op.f("ix_inspection_inspector_id"), "inspection", ["inspector_id"])
    op.create_table(
        "inspection_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"],
                                name=op.f("fk_inspection_answer_inspection_id_inspection")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_inspection_answer_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_answer")),
        sa.UniqueConstraint("inspection_id", "item_key", name="uq_inspection_answer_item"),
    )
    op.create_table(
        "inspection_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("finding", sa.String(length=300), nullable=False),
        sa.Column("what", sa.String(length=500), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("done_note", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"],
                                name=op.f("fk_inspection_action_inspection_id_inspection")),
        sa.ForeignKeyConstraint(["assignee_id"], ["employee.id"], name=op.f("fk_inspection_action_assignee_id_employee")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_inspection_action_created_by_id_user")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["user.id"], name=op.f("fk_inspection_action_closed_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_action")),
    )
    op.create_index("ix_inspection_action_state_due", "inspection_action", ["state", "due_on"])
    op.create_index("ix_inspection_action_assignee", "inspection_action", ["assignee_id", "state"])
    op.create_index(op.f("ix_inspection_action_inspection_id"), "inspection_action", ["inspection_id"])
    op.create_table(
        "inspection_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"],
                                name=op.f("fk_inspection_photo_inspection_id_inspection")),
        sa.ForeignKeyConstraint(["action_id"], ["inspection_action.id"],
                                name=op.f("fk_inspection_photo_action_id_inspection_action")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_inspection_photo_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_photo")),
    )
    op.create_index(op.f("ix_inspection_photo_inspection_id"), "inspection_photo", ["inspection_id"])
    op.create_index(op.f("ix_inspection_photo_action_id"), "inspection_photo", ["action_id"])
    op.create_table(
        "inspection_action_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["inspection_action.id"],
                                name=op.f("fk_inspection_action_event_action_id_inspection_action")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_inspection_action_event_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_action_event")),
    )
    op.create_index(op.f("ix_inspection_action_event_action_id"), "inspection_action_event", ["action_id"])


def downgrade():
    for index, table in (("ix_inspection_action_event_action_id", "inspection_action_event"),
                         ("ix_inspection_photo_action_id", "inspection_photo"),
                         ("ix_inspection_photo_inspection_id", "inspection_photo")):
        op.drop_index(index, table_name=table)
    op.drop_table("inspection_action_event")
    op.drop_table("inspection_photo")
    op.drop_index("ix_inspection_action_inspection_id", table_name="inspection_action")
    op.drop_index("ix_inspection_action_assignee", table_name="inspection_action")
    op.drop_index("ix_inspection_action_state_due", table_name="inspection_action")
    op.drop_table("inspection_action")
    op.drop_table("inspection_answer")
    for index in ("ix_inspection_inspector_id", "ix_inspection_version_id", "ix_inspection_state_started",
                  "ix_inspection_area_submitted"):
        op.drop_index(index, table_name="inspection")
    op.drop_table("inspection")
    op.drop_table("inspection_template_version")
    op.drop_table("inspection_template")
