"""The month page during the review: every manager rating with the person's grade, and one sent back
from the console holds 发布 until the manager rates again."""

from sqlalchemy import select

from app.extensions import db
from app.models import AssessmentItem, RatingReturn
from app.services.cycle import review
from tests.app.services.cycle.test_review import score_november
from tests.support.company import assessment_of
from tests.support.console import console_company, csrf, sign_in


def test_hr_sends_a_rating_back_from_the_review_and_publishing_waits(app, client, db_session, redis_client, clock):
    people, _ = console_company()
    november = score_november(people, redis_client, clock)
    listed = review.manager_ratings(november.id, hr_id=people.hr.id)
    trainee = [r for r in listed if r["name"] == "钱新人"]
    assert [(r["indicator"], r["rating"], r["rater"], r["grade"], r["returned"]) for r in trainee] == [
        ("团队协作", 1, "张组长", "不合格", False), ("创新建议", 1, "张组长", "不合格", False)]
    assert len(listed) == 6  # three people, two manager-rated items each

    assert sign_in(client, people.hr.employee_no).status_code == 302
    page = client.get(f"/console/months/{november.id}").get_data(as_text=True)
    assert "主管评分" in page and "钱新人（" in page and "待发布" in page
    token = csrf(client, f"/console/months/{november.id}")
    item = trainee[0]["item_id"]
    refused = client.post(f"/console/items/{item}/return", data={"note": " ", "cycle_id": november.id,
                                                                  "csrf_token": token}, follow_redirects=True)
    assert "未退回：" in refused.get_data(as_text=True) and db.session.scalar(select(RatingReturn.id)) is None
    note = {"note": "新人带教记录很好，请复核", "cycle_id": november.id, "csrf_token": token}
    sent = client.post(f"/console/items/{item}/return", data=note, follow_redirects=True)
    assert "已退回，待重新评分" in sent.get_data(as_text=True)
    published = client.post(f"/console/months/{november.id}/publish", data={"csrf_token": token})
    assert published.status_code == 409 and "重新评分" in published.get_data(as_text=True)
    db_session.rollback()
    returned = db_session.scalar(select(RatingReturn))
    assert returned.rater_id == people.lead.id and returned.assessment_item_id == item
    assert db_session.get(AssessmentItem, item).assessment_id == assessment_of(people.trainee, november).id
