"""bind codes

Revision ID: 0003_bind_codes
Revises: 0002_data_model
Create Date: 2026-11-27 06:46:35.176654

"""
import sqlalchemy as sa
from alembic import op

import app.models.base  # noqa: F401  custom column types (ExactDecimal)

# revision identifiers, used by Alembic.
revision = '0003_bind_codes'
down_revision = '0002_data_model'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bind_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_by', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_bind_code_employee_id_employee')),
    sa.ForeignKeyConstraint(['issued_by'], ['employee.id'], name=op.f('fk_bind_code_issued_by_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bind_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_bind_code_code_hash'))
    )
    with op.batch_alter_table('bind_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bind_code_employee_id'), ['employee_id'], unique=False)



def downgrade():
    # Dropping the table drops its indexes; MariaDB refuses to drop an index a foreign key needs.
    op.drop_table('bind_code')
