"""workflow

Revision ID: 0006_workflow
Revises: 0005_outbox
Create Date: 2026-11-27 07:21:58.473722

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

import app.models.base  # noqa: F401  custom column types (ExactDecimal)

# revision identifiers, used by Alembic.
revision = '0006_workflow'
down_revision = '0005_outbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('correction_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('progress_entry_id', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=48)
              .with_variant(mysql.VARCHAR(charset='utf8mb4', collation='utf8mb4_bin', length=48), 'mariadb')
              .with_variant(mysql.VARCHAR(charset='utf8mb4', collation='utf8mb4_bin', length=48), 'mysql'),
              nullable=False),
    sa.Column('old_numerator', app.models.base.ExactDecimal(precision=20, scale=6), nullable=True),
    sa.Column('old_denominator', app.models.base.ExactDecimal(precision=20, scale=6), nullable=True),
    sa.Column('new_numerator', app.models.base.ExactDecimal(precision=20, scale=6), nullable=False),
    sa.Column('new_denominator', app.models.base.ExactDecimal(precision=20, scale=6), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decider_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['decider_id'], ['employee.id'], name=op.f('fk_correction_request_decider_id_employee')),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_correction_request_employee_id_employee')),
    sa.ForeignKeyConstraint(['progress_entry_id'], ['progress_entry.id'],
                            name=op.f('fk_correction_request_progress_entry_id_progress_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_request'))
    )
    with op.batch_alter_table('correction_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correction_request_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index('ix_correction_request_entry', ['progress_entry_id', 'indicator_code'], unique=False)

    op.create_table('item_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_item_id', sa.Integer(), nullable=False),
    sa.Column('value', app.models.base.ExactDecimal(precision=20, scale=6), nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=True),
    sa.Column('set_by', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeal.id'], name=op.f('fk_item_override_appeal_id_appeal')),
    sa.ForeignKeyConstraint(['assessment_item_id'], ['assessment_item.id'],
                            name=op.f('fk_item_override_assessment_item_id_assessment_item')),
    sa.ForeignKeyConstraint(['set_by'], ['employee.id'], name=op.f('fk_item_override_set_by_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_override')),
    sa.UniqueConstraint('assessment_item_id', name=op.f('uq_item_override_assessment_item_id'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('window_closes_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_report_due', ['response', 'window_closes_at'], unique=False)


def downgrade():
    # Dropping a table drops its indexes; MariaDB refuses to drop an index a foreign key needs.
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_due')
        batch_op.drop_column('window_closes_at')
    op.drop_table('item_override')
    op.drop_table('correction_request')
