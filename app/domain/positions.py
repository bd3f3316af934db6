"""Positions (岗位) and their job descriptions (岗位说明书): duties, authorities, goals.

The seed's point is that people cannot be assessed on what nobody wrote down: each duty carries how
often and to what standard, each authority its limit, so the KPI template can be read against them.
"""

from dataclasses import dataclass

from .templates import KpiTemplate


@dataclass(frozen=True)
class Duty:
    """职责: what, how often, to what standard."""

    text_zh: str
    frequency_zh: str
    standard_zh: str


@dataclass(frozen=True)
class Authority:
    """权限: what the holder may decide alone, and up to what limit."""

    text_zh: str
    limit_zh: str


@dataclass(frozen=True)
class Goal:
    """目标: the position's goal over a period (the seed's goals are quarterly)."""

    text_zh: str
    period: str = "quarter"


@dataclass(frozen=True)
class JobDescription:
    duties: tuple[Duty, ...]
    authorities: tuple[Authority, ...]
    goals: tuple[Goal, ...]


@dataclass(frozen=True)
class Department:
    code: str
    name_zh: str


@dataclass(frozen=True)
class Position:
    """A job with its description and KPI template. `origin` is "seed" (figures from the seed
    article) or "designed" (our proposal where the seed gives none, meant to be edited by HR)."""

    code: str
    name_zh: str
    department_code: str
    job_description: JobDescription
    template: KpiTemplate
    origin: str = "seed"
