"""wechat pushes: the pushes our callbacks accepted, so WeChat's retries get the first answer

Revision ID: 0009_wechat_pushes
Revises: 0008_late_records
Create Date: 2026-11-30 08:51:38

"""
import sqlalchemy as sa
from alembic import op

import app.models.base

# revision identifiers, used by Alembic.
revision = '0009_wechat_pushes'
down_revision = '0008_late_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'wechat_push',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('dedupe_key', app.models.base.Key(191), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reply', sa.Text(), nullable=True),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wechat_push')),
        sa.UniqueConstraint('channel', 'dedupe_key', name=op.f('uq_wechat_push_channel_dedupe_key')),
    )
    with op.batch_alter_table('wechat_push', schema=None) as batch_op:
        batch_op.create_index('ix_wechat_push_received', ['received_at'], unique=False)


def downgrade():
    with op.batch_alter_table('wechat_push', schema=None) as batch_op:
        batch_op.drop_index('ix_wechat_push_received')
    op.drop_table('wechat_push')
