"""month settings: the company settings a cycle opened with, frozen on the cycle (None while a draft)

Months already open were run by the rules that were hard-coded until now; they are frozen with
those, so a later change of the bands never regrades them.

Revision ID: 0012_month_settings
Revises: 0011_recent_data_indexes
Create Date: 2026-11-30 11:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_month_settings'
down_revision = '0011_recent_data_indexes'
branch_labels = None
depends_on = None

RULES_UNTIL_NOW = {
    "grade_bands": [
        {"code": "excellent", "label_zh": "优秀", "min_total": "85", "coefficient": "1.2"},
        {"code": "good", "label_zh": "良好", "min_total": "75", "coefficient": "1"},
        {"code": "pass", "label_zh": "合格", "min_total": "60", "coefficient": "0.8"},
        {"code": "fail", "label_zh": "不合格", "min_total": None, "coefficient": "0.5"},
    ],
    "quiet_hours": "21:00-08:00", "scoring_day": 3, "edit_until": "10:00", "appeal_window_hours": 72,
    "reminder_at": "18:00", "draft_day": 25,
}


def upgrade():
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settings', sa.JSON(), nullable=True))
    cycle = sa.table('cycle', sa.column('status', sa.String), sa.column('settings', sa.JSON))
    op.execute(cycle.update().where(cycle.c.status != 'draft').values(settings=RULES_UNTIL_NOW))


def downgrade():
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_column('settings')
