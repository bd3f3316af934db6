"""item methods: how a template item's figure becomes points (None is the ratio method)

Revision ID: 0010_item_methods
Revises: 0009_wechat_pushes
Create Date: 2026-11-30 10:25:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_item_methods'
down_revision = '0009_wechat_pushes'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('template_item', 'assessment_item'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('method', sa.JSON(), nullable=True))


def downgrade():
    for table in ('assessment_item', 'template_item'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('method')
