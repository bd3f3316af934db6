"""pace basis and sync coverage: which days a cumulative indicator accrues on, and through which
day each successful sync run covered its source

The built-in 月度销售额 (ops_sales) accrues every calendar day (a shop sells on holidays too); every
other indicator keeps the working days. A finished run recorded before this covered, as far as we
know, through the last day of its rows.

Revision ID: 0015_pace_basis
Revises: 0014_calendar_years
Create Date: 2026-11-30 12:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_pace_basis'
down_revision = '0014_calendar_years'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pace_basis', sa.String(length=16), nullable=False, server_default='working'))
    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('covered_through', sa.Date(), nullable=True))
    indicator = sa.table('indicator', sa.column('code', sa.String), sa.column('pace_basis', sa.String))
    op.execute(indicator.update().where(indicator.c.code == 'ops_sales').values(pace_basis='calendar'))
    run = sa.table('sync_run', sa.column('id', sa.Integer), sa.column('status', sa.String),
                   sa.column('covered_through', sa.Date))
    observation = sa.table('observation', sa.column('run_id', sa.Integer), sa.column('day', sa.Date))
    last_row = sa.select(sa.func.max(observation.c.day)).where(observation.c.run_id == run.c.id).scalar_subquery()
    op.execute(run.update().where(run.c.status == 'done').values(covered_through=last_row))


def downgrade():
    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.drop_column('covered_through')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_column('pace_basis')
