"""sheet lines: HR's 加减分项 and 一票否决 on an assessment, withdrawn but never deleted

Revision ID: 0013_sheet_lines
Revises: 0012_month_settings
Create Date: 2026-11-30 12:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.base  # noqa: F401  custom column types (ExactDecimal)

# revision identifiers, used by Alembic.
revision = '0013_sheet_lines'
down_revision = '0012_month_settings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sheet_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('points', app.models.base.ExactDecimal(precision=20, scale=6), nullable=True),
        sa.Column('text', sa.String(length=200), nullable=False),
        sa.Column('evidence', sa.String(length=500), nullable=False),
        sa.Column('recorded_by', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('withdrawn_by', sa.Integer(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.Column('withdraw_reason', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'],
                                name=op.f('fk_sheet_line_assessment_id_assessment')),
        sa.ForeignKeyConstraint(['recorded_by'], ['employee.id'], name=op.f('fk_sheet_line_recorded_by_employee')),
        sa.ForeignKeyConstraint(['withdrawn_by'], ['employee.id'], name=op.f('fk_sheet_line_withdrawn_by_employee')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_line')),
    )
    with op.batch_alter_table('sheet_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sheet_line_assessment_id'), ['assessment_id'], unique=False)


def downgrade():
    op.drop_table('sheet_line')
