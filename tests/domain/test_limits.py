"""The numbers the system holds: a figure, target, weight or rate has at most 14 digits before the
point and 6 after (MariaDB's NUMERIC(20, 6)). Every edge refuses anything outside with a clear error
naming the field, and nothing inside loses a digit."""

from decimal import Decimal

import pytest

from app.domain.errors import ScoreFileInvalid
from app.domain.scorefile import score_document

LARGEST = "99999999999999.999999"


def ops(sales: object, **more: object) -> dict:
    return {"position": "ops", "month": "2025-10",
            "actuals": {"ops_sales": sales, "ops_new_conversion": {"numerator": "16", "denominator": "300"},
                        "ops_ad_roi": "2.8"},
            "ratings": {"ops_teamwork": ["3"], "ops_innovation": ["3"]}, **more}


@pytest.mark.parametrize("value", ["1e400", "-1e400", "123456789012345678901234567890", "100000000000000",
                                   "0.0000001", "1.1234567", 1e300])
def test_a_figure_outside_what_the_system_holds_is_refused_naming_the_field(value):
    with pytest.raises(ScoreFileInvalid) as refused:
        score_document(ops(value))
    assert refused.value.fields == {"actuals.ops_sales": refused.value.fields["actuals.ops_sales"]}
    assert "14位整数" in refused.value.message or "6位小数" in refused.value.message


@pytest.mark.parametrize(("field", "doc"), [
    ("rates[0].rate", ops("100", rates=[{"month": "2025-10", "from": "EUR", "to": "USD", "rate": "1e20"}])),
    ("template.items[0].target", {"month": "2025-10", "template": {"name_zh": "运营", "currency": "USD", "items": [
        {"indicator": "ops_sales", "weight": "100", "target": "1e15"}]}, "actuals": {"ops_sales": "1"}}),
])
def test_targets_and_rates_share_the_limit(field, doc):
    with pytest.raises(ScoreFileInvalid) as refused:
        score_document(doc)
    assert field in refused.value.fields


def test_the_largest_figure_keeps_every_digit():
    item = score_document(ops(LARGEST))["items"][0]
    assert item["actual"] == LARGEST
    assert Decimal(item["actual"]) == Decimal(LARGEST)
