"""What the console says a month waits for: worked out from the settings and rules the clock follows."""

from datetime import datetime

import pytest

from app.errors import ApiError
from app.extensions import db
from app.models import Cycle
from app.services.authz import actor
from app.services.cycle import overview
from app.services.org import company_settings
from app.services.scoring import runs
from tests.support.company import open_month, small_company
from tests.support.people import actor as actor_of


def test_an_open_month_waits_for_its_scoring_day_then_for_its_data(db_session):
    people = small_company()
    cycle = open_month(2026, 10)
    before = overview.next_step(cycle, datetime(2026, 10, 20, 2, 0))
    assert before == "11月3日 09:00 起自动评分（数据齐全或人事确认缺口后）"
    after = overview.next_step(cycle, datetime(2026, 11, 4, 2, 0))  # nobody rated, no figures: not green
    assert after == "数据或评分未齐：等待补齐，或由人事在结算待办中确认缺口后评分"
    [line] = overview.months(actor(people.hr.id), datetime(2026, 10, 20, 2, 0))
    assert (line.label, line.status_zh, line.assessments) == ("2026年10月", "进行中", 3)


def test_a_month_in_review_says_when_it_publishes_itself_and_a_published_one_what_it_waits_for(db_session):
    people = small_company()
    company_settings.change("publish_after_days", "2", hr_id=people.hr.id)  # the default 0: only HR publishes
    cycle = open_month(2026, 10)
    runs.score_cycle(cycle.id, reason="月度评分", now=datetime(2026, 11, 3, 1, 0))  # Tuesday 3 November, 09:00
    cycle = db.session.get(Cycle, cycle.id)
    assert cycle.status == "review"
    # two working days after Tuesday: Thursday 5 November, as review.publish_due counts them
    assert overview.next_step(cycle, datetime(2026, 11, 3, 2, 0)) == "等待人事审核发布；如未处理，11月5日自动发布"
    runs.publish_reviewed(cycle, actor_id=people.hr.id, now=datetime(2026, 11, 3, 3, 0))
    db.session.commit()
    assert overview.next_step(cycle, datetime(2026, 11, 3, 4, 0)) == (
        "员工确认或申诉中：3份报告待答复（窗口结束视为认可），全部处理后自动归档")


def test_only_hr_and_admins_list_the_months(db_session):
    people = small_company()
    open_month(2026, 10)
    with pytest.raises(ApiError):
        overview.months(actor_of(people.star.id), datetime(2026, 10, 20))
