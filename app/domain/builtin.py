"""The built-in positions (运营, 客服, 仓储 from the seed; 美工, 部门主管, 人事行政 designed) loaded from
data/positions.json.

The data file is validated by the same rules as any HR-made template, so a typo in the shipped
data fails a test instead of a month's close. Loading is lazy and cached: importing this module
reads nothing.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .codec import JsonDict, indicator_of, list_of, mapping_of, template_of, text_of
from .errors import LibraryInvalid
from .indicators import IndicatorLibrary, Kind
from .positions import Authority, Department, Duty, Goal, JobDescription, Position
from .templates import KpiTemplate, validate_template

DATA_PATH = Path(__file__).with_name("data") / "positions.json"


@dataclass(frozen=True)
class Catalog:
    """Departments, the indicator library and the positions with their templates."""

    departments: dict[str, Department]
    library: IndicatorLibrary
    positions: dict[str, Position]

    def template(self, position_code: str) -> KpiTemplate | None:
        position = self.positions.get(position_code)
        return position.template if position else None


@lru_cache(maxsize=1)
def load_builtin() -> Catalog:
    """The shipped catalog, parsed and validated once per process."""
    return load_catalog(json.loads(DATA_PATH.read_text(encoding="utf-8")))


def load_catalog(data: Any) -> Catalog:
    """Parse and validate a catalog document (the format of data/positions.json)."""
    err = LibraryInvalid
    doc = mapping_of(data, "catalog", err)
    departments = {}
    for i, raw in enumerate(list_of(doc.get("departments"), "departments", err)):
        d = mapping_of(raw, f"departments[{i}]", err)
        code = text_of(d.get("code"), f"departments[{i}].code", err)
        departments[code] = Department(code, text_of(d.get("name_zh"), f"departments[{i}].name_zh", err))
    entries = list_of(doc.get("indicators"), "indicators", err)
    library = IndicatorLibrary(indicator_of(raw, f"indicators[{i}]", err) for i, raw in enumerate(entries))
    qualitative = {code for code, ind in library.items() if ind.kind is Kind.QUALITATIVE}
    positions = {}
    for i, raw in enumerate(list_of(doc.get("positions"), "positions", err)):
        position = _position_of(raw, f"positions[{i}]", qualitative, departments)
        if position.code in positions:
            raise LibraryInvalid(f"岗位代码「{position.code}」重复", {f"positions[{i}].code": "重复"})
        validate_template(position.template, library)
        positions[position.code] = position
    return Catalog(departments, library, positions)


def _position_of(raw: Any, path: str, qualitative: set[str], departments: dict[str, Department]) -> Position:
    err = LibraryInvalid
    p = mapping_of(raw, path, err)
    code = text_of(p.get("code"), f"{path}.code", err)
    name = text_of(p.get("name_zh"), f"{path}.name_zh", err)
    department = text_of(p.get("department"), f"{path}.department", err)
    if department not in departments:
        raise LibraryInvalid(f"岗位「{name}」所属部门「{department}」不存在", {f"{path}.department": department})
    jd = mapping_of(p.get("job_description"), f"{path}.job_description", err)
    jd_path = f"{path}.job_description"
    job = JobDescription(
        duties=tuple(Duty(*t) for t in _texts(jd, "duties", ("text_zh", "frequency_zh", "standard_zh"), jd_path)),
        authorities=tuple(Authority(*t) for t in _texts(jd, "authorities", ("text_zh", "limit_zh"), jd_path)),
        goals=tuple(Goal(*t) for t in _texts(jd, "goals", ("text_zh", "period"), jd_path)),
    )
    template = template_of(p.get("template"), code, name, f"{path}.template", err, qualitative)
    return Position(code, name, department, job, template, text_of(p.get("origin", "seed"), f"{path}.origin", err))


def _texts(jd: JsonDict, key: str, fields: tuple[str, ...], path: str) -> list[list[str]]:
    """The text fields of each entry of one job-description list (duties, authorities, goals)."""
    rows = []
    for j, raw in enumerate(list_of(jd.get(key), f"{path}.{key}", LibraryInvalid)):
        entry = mapping_of(raw, f"{path}.{key}[{j}]", LibraryInvalid)
        rows.append([text_of(entry.get(f), f"{path}.{key}[{j}].{f}", LibraryInvalid) for f in fields])
    return rows
