"""restatements and company settings

Revision ID: 0007_restatements_settings
Revises: 0006_workflow
Create Date: 2026-11-27 07:37:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.base  # noqa: F401  custom column types (ExactDecimal)

# revision identifiers, used by Alembic.
revision = '0007_restatements_settings'
down_revision = '0006_workflow'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('company_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['employee.id'], name=op.f('fk_company_setting_updated_by_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_setting')),
    sa.UniqueConstraint('key', name=op.f('uq_company_setting_key'))
    )
    op.create_table('restatement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('observation_id', sa.Integer(), nullable=False),
    sa.Column('old_numerator', app.models.base.ExactDecimal(precision=20, scale=6), nullable=False),
    sa.Column('old_denominator', app.models.base.ExactDecimal(precision=20, scale=6), nullable=True),
    sa.Column('new_numerator', app.models.base.ExactDecimal(precision=20, scale=6), nullable=False),
    sa.Column('new_denominator', app.models.base.ExactDecimal(precision=20, scale=6), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_restatement_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['observation_id'], ['observation.id'],
                            name=op.f('fk_restatement_observation_id_observation')),
    sa.ForeignKeyConstraint(['resolved_by'], ['employee.id'], name=op.f('fk_restatement_resolved_by_employee')),
    sa.ForeignKeyConstraint(['run_id'], ['sync_run.id'], name=op.f('fk_restatement_run_id_sync_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_restatement'))
    )
    with op.batch_alter_table('restatement', schema=None) as batch_op:
        batch_op.create_index('ix_restatement_cycle_status', ['cycle_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_restatement_observation_id'), ['observation_id'], unique=False)


def downgrade():
    # Dropping a table drops its indexes; MariaDB refuses to drop an index a foreign key needs.
    op.drop_table('restatement')
    op.drop_table('company_setting')
