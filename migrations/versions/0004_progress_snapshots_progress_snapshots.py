"""progress snapshots

Revision ID: 0004_progress_snapshots
Revises: 0003_bind_codes
Create Date: 2026-11-27 06:49:35.023004

"""
import sqlalchemy as sa
from alembic import op

import app.models.base  # noqa: F401  custom column types (ExactDecimal)

# revision identifiers, used by Alembic.
revision = '0004_progress_snapshots'
down_revision = '0003_bind_codes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('progress_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'],
                            name=op.f('fk_progress_snapshot_assessment_id_assessment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_snapshot')),
    sa.UniqueConstraint('assessment_id', name=op.f('uq_progress_snapshot_assessment_id'))
    )


def downgrade():
    op.drop_table('progress_snapshot')
