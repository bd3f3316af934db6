"""recent data indexes: the watch's reconcile reads observations and entries of the last two days

Revision ID: 0011_recent_data_indexes
Revises: 0010_item_methods
Create Date: 2026-11-30 10:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_recent_data_indexes'
down_revision = '0010_item_methods'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_recorded_at', ['recorded_at'], unique=False)
    with op.batch_alter_table('progress_entry', schema=None) as batch_op:
        batch_op.create_index('ix_progress_entry_updated_at', ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('progress_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_entry_updated_at')
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_recorded_at')
