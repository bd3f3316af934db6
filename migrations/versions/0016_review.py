"""review before publishing: when a scored month started waiting for HR's 发布, and the ratings
HR sent back to a manager with a note during that review

Revision ID: 0016_review
Revises: 0015_pace_basis
Create Date: 2026-11-30 14:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_review'
down_revision = '0015_pace_basis'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_at', sa.DateTime(), nullable=True))
    op.create_table(
        'rating_return',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessment_item_id', sa.Integer(), nullable=False),
        sa.Column('rater_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('returned_by', sa.Integer(), nullable=False),
        sa.Column('returned_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['assessment_item_id'], ['assessment_item.id'],
                                name=op.f('fk_rating_return_assessment_item_id_assessment_item')),
        sa.ForeignKeyConstraint(['rater_id'], ['employee.id'], name=op.f('fk_rating_return_rater_id_employee')),
        sa.ForeignKeyConstraint(['returned_by'], ['employee.id'], name=op.f('fk_rating_return_returned_by_employee')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_return')),
    )
    with op.batch_alter_table('rating_return', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_return_assessment_item_id'), ['assessment_item_id'], unique=False)


def downgrade():
    op.drop_table('rating_return')  # its index goes with it (MariaDB refuses to drop one a foreign key needs)
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_column('review_at')
