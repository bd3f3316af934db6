"""imports: named column presets, the staging table a file's rows pass through (all or nothing), and
each shipment's business day (its packer's daily figures count it on that day)

Revision ID: 0024_imports
Revises: 0023_connectors
Create Date: 2026-12-01 15:00:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.base  # custom column types (ExactDecimal)
from app.models.base import Key

# revision identifiers, used by Alembic.
revision = '0024_imports'
down_revision = '0023_connectors'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('key', Key(191), nullable=False),
    sa.Column('who', Key(128), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('indicator_code', Key(48), nullable=True),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('numerator', app.models.base.ExactDecimal(precision=20, scale=6), nullable=True),
    sa.Column('denominator', app.models.base.ExactDecimal(precision=20, scale=6), nullable=True),
    sa.Column('batch_no', Key(64), nullable=True),
    sa.Column('ordered_at', sa.DateTime(), nullable=True),
    sa.Column('shipped_at', sa.DateTime(), nullable=True),
    sa.Column('wrong_item', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_row'))
    )
    with op.batch_alter_table('import_row', schema=None) as batch_op:
        batch_op.create_index('ix_import_row_run_key', ['run_id', 'key'], unique=False)

    op.create_table('import_preset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=32), nullable=False),
    sa.Column('identity', sa.String(length=32), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['employee.id'], name=op.f('fk_import_preset_created_by_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_preset')),
    sa.UniqueConstraint('name', name=op.f('uq_import_preset_name'))
    )
    with op.batch_alter_table('shipment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('on_time', sa.Boolean(), nullable=True))
        batch_op.create_index('ix_shipment_packer_day', ['packer_code', 'day'], unique=False)


def downgrade():
    with op.batch_alter_table('shipment', schema=None) as batch_op:
        batch_op.drop_index('ix_shipment_packer_day')
        batch_op.drop_column('on_time')
        batch_op.drop_column('day')

    op.drop_table('import_preset')
    with op.batch_alter_table('import_row', schema=None) as batch_op:
        batch_op.drop_index('ix_import_row_run_key')

    op.drop_table('import_row')
