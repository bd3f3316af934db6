"""Errors the domain raises for bad input: a stable code for programs, a Chinese message for people.

They map one-to-one onto the API's single error shape
`{"error": {"code", "message", "fields"}}`, so an edge (view, CLI, job) can pass them through
without translating.
"""


class DomainError(Exception):
    """Base of every refusal by the domain."""

    code = "domain_error"

    def __init__(self, code: str, message_zh: str, fields: dict | None = None):
        super().__init__(message_zh)
        self.code = code
        self.message_zh = message_zh
        self.fields = dict(fields or {})

    def to_dict(self) -> dict:
        """The API's error shape, JSON-ready."""
        return {"error": {"code": self.code, "message": self.message_zh, "fields": self.fields}}


class _Coded(DomainError):
    """A DomainError whose code is fixed by its class."""

    def __init__(self, message_zh: str, fields: dict | None = None):
        super().__init__(type(self).code, message_zh, fields)


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
    """A money figure needs converting and the monthly rate table has no rate for it."""

    code = "fx_rate_missing"


class CalendarInvalid(_Coded):
    """A period or work calendar that does not make sense (end before start, outside the month)."""

    code = "calendar_invalid"


class ScoreFileInvalid(_Coded):
    """A score document (`flask kpi score`) that is not in the documented format."""

    code = "score_file_invalid"
