"""screenshots: blobs shared by content hash (storage_key no longer unique), WeChat's verdict time,
the text OCR read from each screenshot, the day's figure check, and privacy-notice consents

Existing screenshot rows keep their keys; no rows are written.

Revision ID: 0021_screenshots
Revises: 0020_console_logins
Create Date: 2026-12-01 07:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021_screenshots'
down_revision = '0020_console_logins'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('screenshot', schema=None) as batch_op:
        batch_op.drop_constraint('uq_screenshot_storage_key', type_='unique')
        batch_op.create_index(batch_op.f('ix_screenshot_storage_key'), ['storage_key'], unique=False)
        batch_op.add_column(sa.Column('checked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('read_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('progress_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('figure_check', sa.String(length=16), nullable=True))
    op.create_table(
        'privacy_consent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('employee_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.String(length=16), nullable=False),
        sa.Column('accepted_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_privacy_consent_employee_id_employee')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_consent')),
        sa.UniqueConstraint('employee_id', 'version', name=op.f('uq_privacy_consent_employee_id_version')),
    )


def downgrade():
    op.drop_table('privacy_consent')
    with op.batch_alter_table('progress_entry', schema=None) as batch_op:
        batch_op.drop_column('figure_check')
    with op.batch_alter_table('screenshot', schema=None) as batch_op:
        batch_op.drop_column('read_at')
        batch_op.drop_column('text')
        batch_op.drop_column('checked_at')
        batch_op.drop_index(batch_op.f('ix_screenshot_storage_key'))
        batch_op.create_unique_constraint('uq_screenshot_storage_key', ['storage_key'])
