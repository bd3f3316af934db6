"""forgotten-day corrections: a correction request names its day and assessment, and its progress
entry only once there is one (a forgotten day has none until the request is approved)

Existing requests take the day and assessment of their entry.

Revision ID: 0019_forgotten_day_corrections
Revises: 0018_mismatch_notices
Create Date: 2026-11-30 15:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_forgotten_day_corrections'
down_revision = '0018_mismatch_notices'
branch_labels = None
depends_on = None

request = sa.table('correction_request', sa.column('progress_entry_id', sa.Integer),
                   sa.column('assessment_id', sa.Integer), sa.column('day', sa.Date))
entry = sa.table('progress_entry', sa.column('id', sa.Integer), sa.column('assessment_id', sa.Integer),
                 sa.column('day', sa.Date))


def upgrade():
    with op.batch_alter_table('correction_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assessment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('day', sa.Date(), nullable=True))
    of_entry = entry.c.id == request.c.progress_entry_id
    op.execute(request.update().values(
        assessment_id=sa.select(entry.c.assessment_id).where(of_entry).scalar_subquery(),
        day=sa.select(entry.c.day).where(of_entry).scalar_subquery()))
    with op.batch_alter_table('correction_request', schema=None) as batch_op:
        batch_op.alter_column('assessment_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('day', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('progress_entry_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_correction_request_assessment_id_assessment'), 'assessment',
                                    ['assessment_id'], ['id'])
        batch_op.create_index('ix_correction_request_day', ['employee_id', 'day', 'indicator_code'], unique=False)


def downgrade():
    op.execute(request.delete().where(request.c.progress_entry_id.is_(None)))  # forgotten days never approved
    with op.batch_alter_table('correction_request', schema=None) as batch_op:
        batch_op.drop_index('ix_correction_request_day')
        batch_op.drop_constraint(batch_op.f('fk_correction_request_assessment_id_assessment'), type_='foreignkey')
        batch_op.alter_column('progress_entry_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('day')
        batch_op.drop_column('assessment_id')
