"""A scoring method HR set on an item is frozen with the assessment and scores it: 扣分制 on sales
100 USD short of a 100,100 USD target loses one step (10 of the 30 points), where the ratio method
would have given 29.97."""

from sqlalchemy import select

from app.models import AssessmentItem, Score, TemplateItem
from app.services.scoring import runs
from tests.support.company import assessment_of, on_target, open_month, small_company

DEDUCTION = {"kind": "deduction", "step": "100", "points": "10"}


def test_a_method_set_on_the_template_is_frozen_and_scores_the_month(db_session):
    people = small_company()
    sales = db_session.scalars(select(TemplateItem).where(TemplateItem.indicator.has(code="ops_sales"))).all()
    for item in sales:  # HR sets the method and a target the figures will miss by one step
        item.method, item.target = DEDUCTION, 100100
    db_session.commit()
    cycle = open_month(2026, 10)
    on_target(people.lead, cycle)

    assessment = assessment_of(people.lead, cycle)
    frozen = db_session.scalar(select(AssessmentItem).where(AssessmentItem.assessment_id == assessment.id,
                                                           AssessmentItem.indicator_code == "ops_sales"))
    assert frozen.method == DEDUCTION
    runs.score_cycle(cycle.id, reason="月度评分")
    score = db_session.scalar(select(Score).where(Score.assessment_id == assessment.id))
    item = next(i for i in score.body["items"] if i["indicator"] == "ops_sales")
    assert (item["score"], item["method"], item["achievement"]) == ("20.00", "deduction", "0.9990")
    assert item["method_label"].startswith("扣分制")
