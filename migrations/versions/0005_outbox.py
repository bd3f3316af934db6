"""outbox

Revision ID: 0005_outbox
Revises: 0004_progress_snapshots
Create Date: 2026-11-27 06:56:58.899934

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

import app.models.base  # noqa: F401  custom column types (ExactDecimal)

# revision identifiers, used by Alembic.
revision = '0005_outbox'
down_revision = '0004_progress_snapshots'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notify_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('unreachable_since', sa.DateTime(), nullable=True),
    sa.Column('unreachable_reason', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_notify_state_employee_id_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_state')),
    sa.UniqueConstraint('employee_id', name=op.f('uq_notify_state_employee_id'))
    )
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('page', sa.String(length=255), nullable=True),
    sa.Column('dedupe_key', sa.String(length=191)
              .with_variant(mysql.VARCHAR(charset='utf8mb4', collation='utf8mb4_bin', length=191), 'mariadb')
              .with_variant(mysql.VARCHAR(charset='utf8mb4', collation='utf8mb4_bin', length=191), 'mysql'),
              nullable=False),
    sa.Column('is_reply', sa.Boolean(), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['employee.id'], name=op.f('fk_outbox_message_recipient_id_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_message_dedupe_key'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_recipient_id'), ['recipient_id'], unique=False)

    op.create_table('subscribe_quota',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.String(length=64)
              .with_variant(mysql.VARCHAR(charset='utf8mb4', collation='utf8mb4_bin', length=64), 'mariadb')
              .with_variant(mysql.VARCHAR(charset='utf8mb4', collation='utf8mb4_bin', length=64), 'mysql'),
              nullable=False),
    sa.Column('openid', sa.String(length=128)
              .with_variant(mysql.VARCHAR(charset='utf8mb4', collation='utf8mb4_bin', length=128), 'mariadb')
              .with_variant(mysql.VARCHAR(charset='utf8mb4', collation='utf8mb4_bin', length=128), 'mysql'),
              nullable=False),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_subscribe_quota_employee_id_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscribe_quota')),
    sa.UniqueConstraint('employee_id', 'template_id', name=op.f('uq_subscribe_quota_employee_id_template_id'))
    )
    op.create_table('delivery_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('result', sa.String(length=32), nullable=False),
    sa.Column('errcode', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_message.id'],
                            name=op.f('fk_delivery_attempt_message_id_outbox_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_attempt')),
    sa.UniqueConstraint('message_id', 'number', name=op.f('uq_delivery_attempt_message_id_number'))
    )
    op.create_table('digest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('slot', sa.DateTime(), nullable=False),
    sa.Column('covered_from', sa.DateTime(), nullable=False),
    sa.Column('covered_until', sa.DateTime(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['manager_id'], ['employee.id'], name=op.f('fk_digest_manager_id_employee')),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_message.id'], name=op.f('fk_digest_message_id_outbox_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest')),
    sa.UniqueConstraint('manager_id', 'kind', 'slot', name=op.f('uq_digest_manager_id_kind_slot'))
    )
    op.create_table('digest_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.Column('progress_entry_id', sa.Integer(), nullable=True),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_digest_line_alert_id_alert')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_digest_line_assessment_id_assessment')),
    sa.ForeignKeyConstraint(['digest_id'], ['digest.id'], name=op.f('fk_digest_line_digest_id_digest')),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_digest_line_employee_id_employee')),
    sa.ForeignKeyConstraint(['progress_entry_id'], ['progress_entry.id'],
                            name=op.f('fk_digest_line_progress_entry_id_progress_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_line')),
    sa.UniqueConstraint('digest_id', 'number', name=op.f('uq_digest_line_digest_id_number'))
    )


def downgrade():
    # Dropping a table drops its indexes; MariaDB refuses to drop an index a foreign key needs.
    op.drop_table('digest_line')
    op.drop_table('digest')
    op.drop_table('delivery_attempt')
    op.drop_table('subscribe_quota')
    op.drop_table('outbox_message')
    op.drop_table('notify_state')
