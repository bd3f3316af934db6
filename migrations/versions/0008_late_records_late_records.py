"""late records

Revision ID: 0008_late_records
Revises: 0007_restatements_settings
Create Date: 2026-11-27 10:09:24

"""
import sqlalchemy as sa
from alembic import op

import app.models.base  # noqa: F401  custom column types (ExactDecimal)

# revision identifiers, used by Alembic.
revision = '0008_late_records'
down_revision = '0007_restatements_settings'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('restatement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('external_ref', app.models.base.Key(191), nullable=True))
        batch_op.add_column(sa.Column('record', sa.JSON(), nullable=True))
        batch_op.alter_column('observation_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.alter_column('old_numerator',
               existing_type=app.models.base.ExactDecimal(precision=20, scale=6),
               nullable=True)
        batch_op.create_index('ix_restatement_record', ['source', 'external_ref'], unique=False)


def downgrade():
    # Restatements of added records have no observation: they cannot survive the old schema.
    op.execute("DELETE FROM restatement WHERE observation_id IS NULL")
    with op.batch_alter_table('restatement', schema=None) as batch_op:
        batch_op.drop_index('ix_restatement_record')
        batch_op.alter_column('old_numerator',
               existing_type=app.models.base.ExactDecimal(precision=20, scale=6),
               nullable=False)
        batch_op.alter_column('observation_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('record')
        batch_op.drop_column('external_ref')
        batch_op.drop_column('source')
