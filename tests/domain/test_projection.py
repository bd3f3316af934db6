"""The projected score: figures so far, cumulative items at pace, unrated items from last month."""

from decimal import Decimal as D
from fractions import Fraction

from app.domain.builtin import load_builtin
from app.domain.exact import Ratio
from app.domain.progress import Pace
from app.domain.projection import Basis, project, projected_actuals
from app.domain.scoring import scoring_items


def ops_items():
    catalog = load_builtin()
    return scoring_items(catalog.template("ops"), catalog.library)


SO_FAR = {"ops_sales": Ratio.of(40000), "ops_new_conversion": Ratio(D(50), D(1000)), "ops_ad_roi": Ratio.of(3),
          "ops_teamwork": Ratio.of(4)}


def test_unrated_qualitative_items_use_last_months_rating_labelled():
    projected = projected_actuals(ops_items(), SO_FAR, {"ops_innovation": Ratio.of(3), "ops_teamwork": Ratio.of(1)})
    assert projected["ops_innovation"].basis is Basis.LAST_MONTH
    assert projected["ops_innovation"].basis.label_zh == "参考上月"
    assert projected["ops_innovation"].actual == Ratio.of(3)
    assert projected["ops_teamwork"].basis is Basis.ACTUAL  # rated this month: last month is ignored


def test_cumulative_items_are_extrapolated_at_working_day_pace():
    projected = projected_actuals(ops_items(), SO_FAR, paces={"ops_sales": Pace(9, 18)})
    assert projected["ops_sales"].basis is Basis.EXTRAPOLATED
    assert projected["ops_sales"].actual.fraction() == 80000
    assert projected["ops_new_conversion"].basis is Basis.ACTUAL  # rates are not extrapolated


def test_no_extrapolation_before_the_first_or_after_the_last_working_day():
    before, after = ({"ops_sales": Pace(elapsed, 18)} for elapsed in (0, 18))
    assert projected_actuals(ops_items(), SO_FAR, paces=before)["ops_sales"].basis is Basis.ACTUAL
    assert projected_actuals(ops_items(), SO_FAR, paces=after)["ops_sales"].actual.fraction() == 40000


def test_projected_score_uses_the_same_rules_as_the_close():
    projection = project(ops_items(), SO_FAR, {"ops_innovation": Ratio.of(3)}, {"ops_sales": Pace(9, 18)})
    # sales 80000 → 24; conversion 5 % → 20; ROI 3 → 20; teamwork 4 → 12; innovation (last month) 3 → 9
    assert projection.score.total == D("85.0")
    assert projection.score.grade.label_zh == "优秀"


def test_an_item_without_any_figure_is_no_data():
    projection = project(ops_items(), {}, {})
    assert {p.basis for p in projection.items.values()} == {Basis.NO_DATA}
    assert projection.score.total == 0
    assert Fraction(projection.score.total_raw) == 0
