"""reply windows: when each official-account follower last wrote to us, and how many
customer-service messages we have sent them since (WeChat allows 5 within 48 hours)

Revision ID: 0022_reply_windows
Revises: 0021_screenshots
Create Date: 2026-12-01 10:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022_reply_windows'
down_revision = '0021_screenshots'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('wechat_identity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('window_opened_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('window_sent', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('wechat_identity', schema=None) as batch_op:
        batch_op.drop_column('window_sent')
        batch_op.drop_column('window_opened_at')
