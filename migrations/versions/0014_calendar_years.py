"""calendar years: where each year of the work calendar comes from and whether it is confirmed

No rows are written here: the clock's daily calendar action (app.services.calendar.ensure_years)
records the shipped State Council years as confirmed, keeping the days already loaded, and this
year and next from the `holidays` library as provisional.

Revision ID: 0014_calendar_years
Revises: 0013_sheet_lines
Create Date: 2026-11-30 14:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_calendar_years'
down_revision = '0013_sheet_lines'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'calendar_year',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('confirmed', sa.Boolean(), nullable=False),
        sa.Column('confirmed_by', sa.Integer(), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['confirmed_by'], ['employee.id'],
                                name=op.f('fk_calendar_year_confirmed_by_employee')),
        sa.ForeignKeyConstraint(['updated_by'], ['employee.id'], name=op.f('fk_calendar_year_updated_by_employee')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_year')),
        sa.UniqueConstraint('year', name=op.f('uq_calendar_year_year')),
    )


def downgrade():
    op.drop_table('calendar_year')
