"""baseline

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-27 06:28:21.941332

"""


# revision identifiers, used by Alembic.
revision = '0001_baseline'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
