"""checklists: the fields an item asks for (回厂率, 照片, 会议纪要 …) and the values kept with each tick

Revision ID: 1daae9f4942f
Revises: a7c9e1f3d546
Create Date: 2026-11-28 12:02:57.272760

"""
from alembic import op
import sqlalchemy as sa

revision = '1daae9f4942f'
down_revision = 'a7c9e1f3d546'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checklist_field',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('decimals', sa.Integer(), nullable=False),
    sa.Column('min_value', sa.Float(), nullable=True),
    sa.Column('max_value', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('target_dir', sa.String(length=2), nullable=False),
    sa.Column('choices', sa.String(length=500), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('seed_key', sa.String(length=60), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_item.id'], name=op.f('fk_checklist_field_item_id_checklist_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_field')),
    sa.UniqueConstraint('seed_key', name=op.f('uq_checklist_field_seed_key'))
    )
    with op.batch_alter_table('checklist_field', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_field_item_id'), ['item_id'], unique=False)

    op.create_table('checklist_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('period_key', sa.String(length=12), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('decimals', sa.Integer(), nullable=False),
    sa.Column('min_value', sa.Float(), nullable=True),
    sa.Column('max_value', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('target_dir', sa.String(length=2), nullable=False),
    sa.Column('number', sa.Float(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('attendees', sa.String(length=500), nullable=False),
    sa.Column('file_key', sa.String(length=32), nullable=True),
    sa.Column('file_name', sa.String(length=120), nullable=False),
    sa.Column('file_mime', sa.String(length=100), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['checklist_event.id'], name=op.f('fk_checklist_value_event_id_checklist_event')),
    sa.ForeignKeyConstraint(['field_id'], ['checklist_field.id'], name=op.f('fk_checklist_value_field_id_checklist_field')),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_item.id'], name=op.f('fk_checklist_value_item_id_checklist_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_value'))
    )
    with op.batch_alter_table('checklist_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_value_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checklist_value_field_id'), ['field_id'], unique=False)
        batch_op.create_index('ix_checklist_value_item_period', ['item_id', 'period_key'], unique=False)

    with op.batch_alter_table('checklist_mark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('values_event_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_checklist_mark_values_event_id_checklist_event'), 'checklist_event', ['values_event_id'], ['id'])



def downgrade():
    with op.batch_alter_table('checklist_mark', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_checklist_mark_values_event_id_checklist_event'), type_='foreignkey')
        batch_op.drop_column('values_event_id')

    with op.batch_alter_table('checklist_value', schema=None) as batch_op:
        batch_op.drop_index('ix_checklist_value_item_period')
        batch_op.drop_index(batch_op.f('ix_checklist_value_field_id'))
        batch_op.drop_index(batch_op.f('ix_checklist_value_event_id'))

    op.drop_table('checklist_value')
    with op.batch_alter_table('checklist_field', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_field_item_id'))

    op.drop_table('checklist_field')
