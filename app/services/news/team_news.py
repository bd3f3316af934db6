"""What a manager's team did, gathered for the digest composer (app.domain.digest) in a few queries.

A manager's team is their whole reporting subtree (docs/product.md "Roles"). News is selected by when it
reached us (`submitted_at`, `raised_at`) within a window of naive UTC times, so consecutive digests
neither repeat nor drop anything; the figures shown are the day's figures of record.
"""

from collections import Counter, defaultdict
from datetime import date, datetime

from sqlalchemy import func, or_, select

from app.domain import digest as composer
from app.domain.exact import ONE, Actual
from app.domain.indicators import IndicatorLibrary, Kind, Provenance
from app.domain.observations import DayObservation, day_figures, figures_of_record
from app.domain.scoring import ScoringItem
from app.domain.screen_figures import NOT_SEEN
from app.extensions import db
from app.models import (
    Alert,
    AssessmentItem,
    Department,
    Employee,
    Observation,
    Position,
    ProgressEntry,
    Screenshot,
)
from app.services.scoring.inputs import library, stored_method

# Active people by manager id (None for the top): (id, name, role) each.
Org = dict[int | None, list[tuple[int, str, str]]]


def load_org() -> Org:
    """Active people by manager id: (id, name, role) each. Load once when composing many digests."""
    reports: Org = defaultdict(list)
    for person_id, manager_id, name, position, department in db.session.execute(
        select(Employee.id, Employee.manager_id, Employee.name, Position.name, Department.name)
        .join(Department, Department.id == Employee.department_id)
        .outerjoin(Position, Position.id == Employee.position_id)
        .where(Employee.status == "active")
    ):
        reports[manager_id].append((person_id, name, position or department))
    return reports


def team_of(manager_id: int, org: Org | None = None) -> dict[int, composer.Member]:
    """Everyone active below the manager, however deep, as the digest names them (in id order)."""
    org = load_org() if org is None else org
    team, waiting = {}, [manager_id]
    while waiting:
        for person_id, name, role in org.get(waiting.pop(), []):
            if person_id not in team and person_id != manager_id:
                team[person_id] = composer.Member(name, role)
                waiting.append(person_id)
    return dict(sorted(team.items()))


def managers() -> list[tuple[int, int]]:
    """(id, department id) of everyone active with at least one active direct report."""
    report = select(Employee.manager_id).where(Employee.status == "active", Employee.manager_id.is_not(None))
    return list(db.session.execute(
        select(Employee.id, Employee.department_id).where(Employee.status == "active", Employee.id.in_(report))
        .order_by(Employee.id)
    ).all())


def progress_news(team: dict[int, composer.Member], since: datetime, until: datetime) -> list[composer.ProgressNews]:
    """One item per progress entry submitted in (since, until], by person then day."""
    entries = db.session.scalars(
        select(ProgressEntry).where(ProgressEntry.employee_id.in_(list(team)), ProgressEntry.submitted_at > since,
                                    ProgressEntry.submitted_at <= until)
        .order_by(ProgressEntry.employee_id, ProgressEntry.day)
    ).all()
    if not entries:
        return []
    indicators = library()
    items = _items({e.assessment_id for e in entries}, indicators)
    figures = _day_figures({e.employee_id for e in entries}, {e.day for e in entries})
    shots = _screenshot_counts([e.id for e in entries])
    warnings = alert_messages(list(team), since, until)
    news = []
    for entry in entries:
        checked, missed = 0, []
        for item in items[entry.assessment_id]:
            compared, figure = composer.day_figure(
                indicators[item.code], item, figures.get((entry.employee_id, entry.day, item.code)))
            checked += compared
            missed += [figure] if figure else []
        news.append(composer.ProgressNews(
            team[entry.employee_id], entry.day, tuple(missed), checked, shots[entry.id],
            tuple(warnings.get(entry.employee_id, ())),
            ref={"employee_id": entry.employee_id, "progress_entry_id": entry.id},
            figure_not_seen=entry.figure_check == NOT_SEEN,
        ))
    return news


def alert_messages(employee_ids: list[int], since: datetime, until: datetime) -> dict[int, list[str]]:
    """Each person's alerts raised in (since, until], oldest first."""
    found: dict[int, list[str]] = defaultdict(list)
    for employee_id, message in db.session.execute(
        select(Alert.employee_id, Alert.message).where(Alert.employee_id.in_(employee_ids), Alert.raised_at > since,
                                                       Alert.raised_at <= until).order_by(Alert.raised_at, Alert.id)
    ):
        assert employee_id is not None, "only alerts about the given employees were selected"
        found[employee_id].append(message)
    return found


def alert_news(team: dict[int, composer.Member], since: datetime, until: datetime) -> list[composer.AlertNews]:
    """One item per alert raised in (since, until] about a team member, or about a batch one of
    them packed (a batch alert names no single employee; its evidence lists the packers)."""
    rows = db.session.execute(
        select(Alert.id, Alert.employee_id, Alert.message, Alert.evidence).where(
            or_(Alert.employee_id.in_(list(team)), Alert.employee_id.is_(None)),
            Alert.raised_at > since, Alert.raised_at <= until)
        .order_by(Alert.raised_at, Alert.id)
    ).all()
    news = []
    for alert_id, employee_id, message, evidence in rows:
        if employee_id is not None:
            ref = {"employee_id": employee_id, "alert_id": alert_id}
            news.append(composer.AlertNews(team[employee_id], message, ref=ref))
        elif any(p.get("employee_id") in team for p in (evidence or {}).get("packers", [])):
            news.append(composer.AlertNews(None, message, ref={"employee_id": None, "alert_id": alert_id}))
    return news


def _items(assessment_ids: set[int], indicators: IndicatorLibrary) -> dict[int, list[ScoringItem]]:
    """Each assessment's frozen items as scoring items (direction and kind from the library)."""
    found = defaultdict(list)
    for row in db.session.scalars(select(AssessmentItem).where(AssessmentItem.assessment_id.in_(list(assessment_ids)))
                                  .order_by(AssessmentItem.assessment_id, AssessmentItem.sort, AssessmentItem.id)):
        indicator = indicators[row.indicator_code]
        found[row.assessment_id].append(ScoringItem(
            row.indicator_code, row.weight, row.target, indicator.direction, row.cap, row.floor,
            indicator.cumulative, indicator.kind is Kind.QUALITATIVE, stored_method(row.method),
        ))
    return found


def _day_figures(employee_ids: set[int], days: set[date]) -> dict[tuple[int, date, str], Actual]:
    """The figure of record of each (person, day, indicator): the day's best provenance, parts added up."""
    parts = defaultdict(list)
    for employee_id, code, day, num, den, provenance in db.session.execute(
        select(Observation.employee_id, Observation.indicator_code, Observation.day, Observation.numerator,
               Observation.denominator, Observation.provenance)
        .where(Observation.employee_id.in_(list(employee_ids)), Observation.day.in_(list(days)))
    ):
        parts[(employee_id, day, code)].append(DayObservation(day, num, den, Provenance(provenance)))
    found = {}
    for key, observations in parts.items():
        (record,) = figures_of_record(day_figures(observations))
        found[key] = Actual(record.num, ONE if record.den is None else record.den)
    return found


def _screenshot_counts(entry_ids: list[int]) -> Counter[int | None]:
    return Counter(dict(db.session.execute(
        select(Screenshot.progress_entry_id, func.count()).where(
            Screenshot.progress_entry_id.in_(entry_ids), Screenshot.deleted_at.is_(None),
            Screenshot.check_status != "risky")
        .group_by(Screenshot.progress_entry_id)
    ).all()))
