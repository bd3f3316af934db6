"""monthly reports: the stored versions of each month's workbook (月度报表) and the payroll exports
with the 绩效系数 each gave

Revision ID: 0025_monthly_reports
Revises: 0024_imports
Create Date: 2026-12-01 17:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025_monthly_reports'
down_revision = '0024_imports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monthly_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('blob_key', sa.String(length=128), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('employees', sa.Integer(), nullable=False),
    sa.Column('basis_report_id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_monthly_report_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['requested_by'], ['employee.id'], name=op.f('fk_monthly_report_requested_by_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_report')),
    sa.UniqueConstraint('cycle_id', 'version', name=op.f('uq_monthly_report_cycle_id_version'))
    )
    op.create_index(op.f('ix_monthly_report_cycle_id'), 'monthly_report', ['cycle_id'], unique=False)
    op.create_table('payroll_export',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('cutoff', sa.Date(), nullable=False),
    sa.Column('exported_by', sa.Integer(), nullable=False),
    sa.Column('exported_at', sa.DateTime(), nullable=False),
    sa.Column('provisional', sa.Integer(), nullable=False),
    sa.Column('coefficients', sa.JSON(), nullable=False),
    sa.Column('told', sa.JSON(), nullable=False),
    sa.Column('checked_report_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_payroll_export_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['exported_by'], ['employee.id'], name=op.f('fk_payroll_export_exported_by_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payroll_export'))
    )
    op.create_index(op.f('ix_payroll_export_cycle_id'), 'payroll_export', ['cycle_id'], unique=False)


def downgrade():
    # the tables' indexes go with them (MariaDB refuses to drop an index a foreign key needs first)
    op.drop_table('payroll_export')
    op.drop_table('monthly_report')
