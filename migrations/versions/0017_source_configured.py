"""source configured: a per-source flag the month's close reads

A source nobody configured is not configured, so no rows are written here: after this migration
the close expects no source until HR (or, later, a connector whose credentials validate) marks it
configured (`flask sources configure SOURCE --by HR_NO`).

Revision ID: 0017_source_configured
Revises: 0016_review
Create Date: 2026-11-30 14:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = '0017_source_configured'
down_revision = '0016_review'
branch_labels = None
depends_on = None

KEY32 = (sa.String(length=32)
         .with_variant(mysql.VARCHAR(charset='utf8mb4', collation='utf8mb4_bin', length=32), 'mariadb')
         .with_variant(mysql.VARCHAR(charset='utf8mb4', collation='utf8mb4_bin', length=32), 'mysql'))


def upgrade():
    op.create_table(
        'source_setting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', KEY32, nullable=False),
        sa.Column('configured', sa.Boolean(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['employee.id'], name=op.f('fk_source_setting_updated_by_employee')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_source_setting')),
        sa.UniqueConstraint('source', name=op.f('uq_source_setting_source')),
    )


def downgrade():
    op.drop_table('source_setting')
