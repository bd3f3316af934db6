"""mismatch notices: which 数据不一致 (a self-report more than 5 % off the synced figure) the person
and their manager were told, once per person, indicator and day

No rows are written: the first recompute of each open assessment tells what it finds.

Revision ID: 0018_mismatch_notices
Revises: 0017_source_configured
Create Date: 2026-11-30 15:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = '0018_mismatch_notices'
down_revision = '0017_source_configured'
branch_labels = None
depends_on = None

KEY48 = (sa.String(length=48)
         .with_variant(mysql.VARCHAR(charset='utf8mb4', collation='utf8mb4_bin', length=48), 'mariadb')
         .with_variant(mysql.VARCHAR(charset='utf8mb4', collation='utf8mb4_bin', length=48), 'mysql'))


def upgrade():
    op.create_table(
        'mismatch_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('indicator_code', KEY48, nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('reported', sa.String(length=64), nullable=False),
        sa.Column('record', sa.String(length=64), nullable=False),
        sa.Column('record_provenance', sa.String(length=16), nullable=False),
        sa.Column('told_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_mismatch_notice_employee_id_employee')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mismatch_notice')),
        sa.UniqueConstraint('employee_id', 'indicator_code', 'day',
                            name=op.f('uq_mismatch_notice_employee_id_indicator_code_day')),
    )


def downgrade():
    op.drop_table('mismatch_notice')
