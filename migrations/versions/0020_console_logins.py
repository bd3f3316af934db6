"""console logins: HR's and admins' passwords for the web console, with lock-out and session version

Nobody has a password after this migration: an operator gives the first admin one with
`flask console set-password EMPLOYEE_NO` (the demo seeds its HR and admin with one).

Revision ID: 0020_console_logins
Revises: 0019_forgotten_day_corrections
Create Date: 2026-11-30 18:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_console_logins'
down_revision = '0019_forgotten_day_corrections'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'console_login',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('must_change', sa.Boolean(), nullable=False),
        sa.Column('failed_attempts', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.Column('session_version', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('last_sign_in_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_console_login_employee_id_employee')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_console_login')),
        sa.UniqueConstraint('employee_id', name=op.f('uq_console_login_employee_id')),
    )


def downgrade():
    op.drop_table('console_login')
