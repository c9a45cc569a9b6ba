"""coverage: training requirements per position, external certificates, sessions marked as fulfilling, onboarding (入职)

Revision ID: eaef7f0b335e
Revises: 1daae9f4942f
Create Date: 2026-11-28 13:01:45.584196

"""
from alembic import op
import sqlalchemy as sa

revision = 'eaef7f0b335e'
down_revision = '1daae9f4942f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('onboarding_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['position_id'], ['position.id'], name=op.f('fk_onboarding_step_position_id_position')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_onboarding_step'))
    )
    with op.batch_alter_table('onboarding_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_onboarding_step_position_id'), ['position_id'], unique=False)

    op.create_table('training_requirement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('course', sa.String(length=120), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=True),
    sa.Column('interval_months', sa.Integer(), nullable=True),
    sa.Column('certificate', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['training_category.id'], name=op.f('fk_training_requirement_category_id_training_category')),
    sa.ForeignKeyConstraint(['position_id'], ['position.id'], name=op.f('fk_training_requirement_position_id_position')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_requirement')),
    sa.UniqueConstraint('position_id', 'name', name='uq_training_requirement_position_name')
    )
    with op.batch_alter_table('training_requirement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_requirement_position_id'), ['position_id'], unique=False)

    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('issuer', sa.String(length=80), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('scan_key', sa.String(length=32), nullable=True),
    sa.Column('scan_kind', sa.String(length=10), nullable=False),
    sa.Column('scan_name', sa.String(length=120), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_certificate_created_by_id_user')),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_certificate_employee_id_employee')),
    sa.ForeignKeyConstraint(['requirement_id'], ['training_requirement.id'], name=op.f('fk_certificate_requirement_id_training_requirement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificate_requirement_id'), ['requirement_id'], unique=False)

    op.create_table('onboarding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=True),
    sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_off_at', sa.DateTime(), nullable=True),
    sa.Column('sign_off_note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_onboarding_employee_id_employee')),
    sa.ForeignKeyConstraint(['mentor_id'], ['employee.id'], name=op.f('fk_onboarding_mentor_id_employee')),
    sa.ForeignKeyConstraint(['signed_off_by_id'], ['user.id'], name=op.f('fk_onboarding_signed_off_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_onboarding')),
    sa.UniqueConstraint('employee_id', name=op.f('uq_onboarding_employee_id'))
    )
    op.create_table('onboarding_done',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('onboarding_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_onboarding_done_by_id_user')),
    sa.ForeignKeyConstraint(['onboarding_id'], ['onboarding.id'], name=op.f('fk_onboarding_done_onboarding_id_onboarding')),
    sa.ForeignKeyConstraint(['step_id'], ['onboarding_step.id'], name=op.f('fk_onboarding_done_step_id_onboarding_step')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_onboarding_done')),
    sa.UniqueConstraint('onboarding_id', 'step_id', name='uq_onboarding_done_step')
    )
    with op.batch_alter_table('onboarding_done', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_onboarding_done_onboarding_id'), ['onboarding_id'], unique=False)

    op.create_table('training_fulfils',
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['requirement_id'], ['training_requirement.id'], name=op.f('fk_training_fulfils_requirement_id_training_requirement')),
    sa.ForeignKeyConstraint(['training_id'], ['training.id'], name=op.f('fk_training_fulfils_training_id_training')),
    sa.PrimaryKeyConstraint('training_id', 'requirement_id', name=op.f('pk_training_fulfils'))
    )


def downgrade():
    op.drop_table('training_fulfils')
    with op.batch_alter_table('onboarding_done', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_onboarding_done_onboarding_id'))

    op.drop_table('onboarding_done')
    op.drop_table('onboarding')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_requirement_id'))
        batch_op.drop_index(batch_op.f('ix_certificate_employee_id'))

    op.drop_table('certificate')
    with op.batch_alter_table('training_requirement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_requirement_position_id'))

    op.drop_table('training_requirement')
    with op.batch_alter_table('onboarding_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_onboarding_step_position_id'))

    op.drop_table('onboarding_step')
