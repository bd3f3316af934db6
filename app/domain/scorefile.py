"""`flask kpi score FILE.json`: a JSON-ready document in, a JSON-ready result out (SCOREFILE.md).

The CLI is a thin wrapper: it reads the file (or stdin) and prints `score_document(doc)`, or the
error object of a DomainError. Everything the command knows lives here and in the rules it calls,
so the golden files pin the domain, not the wrapper. All decimals in the output are strings.
"""

from fractions import Fraction
from typing import Any

from .codec import JsonDict, list_of, mapping_of
from .errors import ScoreFileInvalid
from .evaluation import Evaluation, evaluate
from .formatting import format_total
from .proration import month_grade
from .rendering import render_assessment
from .scorefile_parse import parse_assessment

PER_ASSESSMENT = ("adjustments", "veto")  # would count once per assessment if shared


def score_document(document: Any) -> JsonDict:
    """Score a document: one assessment, or {"assessments": [...]} for a month with a transfer.

    `document` is parsed JSON of any shape: anything but an object is refused as invalid.
    """
    doc = mapping_of(document, "document", ScoreFileInvalid)
    if "assessments" not in doc:
        return render_assessment(evaluate(parse_assessment(doc)))
    shared = {key: value for key, value in doc.items() if key != "assessments"}
    for key in PER_ASSESSMENT:
        if key in shared:
            raise ScoreFileInvalid(f"{key}：加减分项和一票否决属于某一张考核表，请写在assessments[i]里",
                                   {key: "只能写在assessments[i]里"})
    evaluations = []
    for i, raw in enumerate(list_of(doc["assessments"], "assessments", ScoreFileInvalid)):
        merged = {**shared, **mapping_of(raw, f"assessments[{i}]", ScoreFileInvalid)}
        evaluations.append(evaluate(parse_assessment(merged, f"assessments[{i}].")))
    return {"assessments": [render_assessment(e) for e in evaluations], "month": _month(evaluations)}


def _month(evaluations: list[Evaluation]) -> JsonDict:
    """The month's total and grade from the assessments' shown totals weighted by working days; a veto
    in any of them makes the month's grade the lowest."""
    months = {e.input.month for e in evaluations}
    if len(months) != 1:
        raise ScoreFileInvalid("同一文件中的考核表必须属于同一个月", {"assessments": "月份不一致"})
    periods = sorted(e.input.period for e in evaluations)
    if any(later[0] <= earlier[1] for earlier, later in zip(periods, periods[1:], strict=False)):
        raise ScoreFileInvalid("同一个月的各考核表的考核期不能重叠", {"assessments": "考核期重叠"})
    bands = evaluations[0].input.bands
    vetoed = any(e.score.veto is not None for e in evaluations)
    result = month_grade([(e.score.total, e.cover.covered) for e in evaluations], bands, vetoed)
    month = evaluations[0].input.month[0]
    weights = [str(Fraction(d, sum(result.weights))) for d in result.weights]
    return {
        "month": f"{month.year:04d}-{month.month:02d}",
        "total": format(result.total, "f"),
        "total_display": format_total(result.total),
        "grade": result.grade.label_zh,
        "grade_code": result.grade.code,
        "coefficient": format(result.grade.coefficient, "f"),
        "working_days": list(result.weights),
        "weights": weights,
    }
