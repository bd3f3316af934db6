"""connectors: encrypted credentials, checkpoints and failure counts per API source, and the records
nobody's identity mapping covers yet (kept, shown, attributed once mapped)

Revision ID: 0023_connectors
Revises: 0022_reply_windows
Create Date: 2026-12-01 14:10:00

"""
import sqlalchemy as sa
from alembic import op

import app.models.base  # custom column types (ExactDecimal)
from app.models.base import Key

# revision identifiers, used by Alembic.
revision = '0023_connectors'
down_revision = '0022_reply_windows'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('connector',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', Key(32), nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=True),
    sa.Column('checkpoint', sa.JSON(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['employee.id'], name=op.f('fk_connector_updated_by_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connector')),
    sa.UniqueConstraint('source', name=op.f('uq_connector_source'))
    )
    op.create_table('unmapped_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('identity', Key(32), nullable=False),
    sa.Column('external_id', Key(128), nullable=False),
    sa.Column('indicator_code', Key(48), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('numerator', app.models.base.ExactDecimal(precision=20, scale=6), nullable=False),
    sa.Column('denominator', app.models.base.ExactDecimal(precision=20, scale=6), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('provenance', sa.String(length=16), nullable=False),
    sa.Column('external_ref', Key(191), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['sync_run.id'], name=op.f('fk_unmapped_record_run_id_sync_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unmapped_record')),
    sa.UniqueConstraint('source', 'external_ref', name=op.f('uq_unmapped_record_source_external_ref'))
    )
    with op.batch_alter_table('unmapped_record', schema=None) as batch_op:
        batch_op.create_index('ix_unmapped_identity', ['identity', 'external_id'], unique=False)


def downgrade():
    with op.batch_alter_table('unmapped_record', schema=None) as batch_op:
        batch_op.drop_index('ix_unmapped_identity')

    op.drop_table('unmapped_record')
    op.drop_table('connector')
