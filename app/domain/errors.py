"""Errors the domain raises for bad input: a stable code for programs, a Chinese message for people.

They map one-to-one onto the API's single error shape
`{"error": {"code", "message", "fields"}}`, so an edge (view, CLI, job) can pass them through
without translating.
"""

from collections.abc import Mapping


class DomainError(Exception):
    """Base of every refusal: a stable `code`, a Chinese `message`, the `fields` it concerns and the
    HTTP `status` an edge answers with — 422 (the input is invalid) unless a subclass says otherwise."""

    code = "domain_error"
    status = 422

    def __init__(self, code: str, message: str, fields: Mapping[str, object] | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields: dict[str, object] = dict(fields or {})
        if status is not None:
            self.status = status

    def to_dict(self) -> dict[str, dict[str, object]]:
        """The API's error shape, JSON-ready."""
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class Conflict(DomainError):
    """The request is well formed but the state does not allow it now: a month already being scored,
    a window that closed, a decision already taken (409)."""

    status = 409


class _Coded(DomainError):
    """A DomainError whose code is fixed by its class."""

    def __init__(self, message: str, fields: Mapping[str, object] | None = None):
        super().__init__(type(self).code, message, fields)


class TemplateInvalid(_Coded):
    """A KPI template breaks a rule (weights, targets, caps, floors, unknown indicators)."""

    code = "template_invalid"


class LibraryInvalid(_Coded):
    """An indicator definition contradicts itself (e.g. a cumulative ratio)."""

    code = "library_invalid"


class GradeBandsInvalid(_Coded):
    """Grade bands that do not describe a descending ladder."""

    code = "grade_bands_invalid"


class DataInvalid(_Coded):
    """Observations, ratings or actuals that cannot be scored (negative counts, zero denominators…)."""

    code = "data_invalid"


class FxRateMissing(_Coded):
    """A money figure needs converting and the monthly rate table has no rate for it: nothing is
    wrong with the request, the month's data is not ready for it yet (409)."""

    code = "fx_rate_missing"
    status = 409


class CalendarInvalid(_Coded):
    """A period or work calendar that does not make sense (end before start, outside the month)."""

    code = "calendar_invalid"


class ScoreFileInvalid(_Coded):
    """A score document (`flask kpi score`) that is not in the documented format."""

    code = "score_file_invalid"
