"""The template editor's text both ways: what HR types ("99.5%", a band per line) becomes the score
file's template form, and a stored template read back into the form posts as it was."""

from werkzeug.datastructures import MultiDict

from app.console import template_form


def test_rates_bands_and_blanks_become_the_template_document():
    row = dict.fromkeys(template_form.FIELDS, "")
    bands = {**row, "indicator": "wh_stock_accuracy", "weight": "30", "target": "99.5%", "method": "bands",
             "bands": "99.5%~:30\n98%～99.5%：20\n\n~98%:0"}
    rated = {**row, "indicator": "wh_team_cooperation", "weight": "5", "rater": "peer", "cap": " "}
    assert template_form.document_of([bands, rated], " cny ") == {"currency": "CNY", "items": [
        {"indicator": "wh_stock_accuracy", "weight": "30", "target": "0.995", "method": {"kind": "bands", "bands": [
            {"points": "30", "min": "0.995"}, {"points": "20", "min": "0.98", "max": "0.995"},
            {"points": "0", "max": "0.98"}]}},
        {"indicator": "wh_team_cooperation", "weight": "5", "rater": "peer"}]}
    assert template_form.entered("八成%") == "八成%"  # passed on as typed: the domain names the field


def test_a_stored_template_posts_back_unchanged():
    view = {"library": [{"code": "wh_stock_accuracy", "display": "percent"}, {"code": "wh_sales", "display": "money"}],
            "items": [{"indicator": "wh_stock_accuracy", "weight": "30", "target": "0.995", "cap": "1.2",
                       "floor": None, "rater": None, "method": {"kind": "deduction", "step": "0.001", "points": "6"}},
                      {"indicator": "wh_sales", "weight": "70", "target": "100000", "cap": "1.5", "floor": "0.6",
                       "rater": None, "method": None}]}
    rows = template_form.rows_of(view)
    assert rows[0]["target"] == "99.5%" and rows[0]["step"] == "0.1%"
    form = MultiDict([(field, row[field]) for row in rows + [dict.fromkeys(template_form.FIELDS, "")]
                      for field in template_form.FIELDS])
    assert template_form.document_of(template_form.posted_rows(form), "USD")["items"] == [
        {"indicator": "wh_stock_accuracy", "weight": "30", "target": "0.995",
         "method": {"kind": "deduction", "step": "0.001", "points": "6"}},
        {"indicator": "wh_sales", "weight": "70", "target": "100000", "floor": "0.6", "cap": "1.5"}]


def test_a_job_description_reads_back_as_the_lines_hr_edits():
    view = {"duties": [{"text": "按单拣货", "frequency": "每日", "standard": "错发率≤0.1%"}],
            "authorities": [{"text": "拒收破损来货", "limit": ""}],
            "goals": [{"text": "季度错发率≤0.1%", "period": "quarter"}]}
    text = template_form.jd_text(view)
    assert text == {"duties": "按单拣货 | 每日 | 错发率≤0.1%", "authorities": "拒收破损来货",
                    "goals": "季度错发率≤0.1% | 季度"}
    assert template_form.jd_document(MultiDict(text)) == view
    assert template_form.jd_document(MultiDict({"goals": "年度降本5%｜年度\n\n月度复盘"}))["goals"] == [
        {"text": "年度降本5%", "period": "year"}, {"text": "月度复盘", "period": "quarter"}]
