"""The template page's forms, both ways: a stored template as the text HR edits, and the posted form
as the score file's template document the service checks (app/domain/SCOREFILE.md); the same for
the position's job description, one entry per line.

HR writes a rate as it reads ("99.5%") and a band per line ("98%~99.5%:20", either bound may be
left out). What is not a number is passed on as typed, so the domain names the field in its refusal.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from werkzeug.datastructures import MultiDict

from app.domain.exact import plain

FIELDS = ("indicator", "weight", "target", "cap", "floor", "rater", "method", "step", "points", "bands")


def entered(text: str) -> str:
    """"99.5%" → "0.995"; other text as typed (stripped)."""
    text = text.strip().replace("，", ",").replace(",", "")
    if text.endswith("%"):
        try:
            return plain(Decimal(text[:-1].strip()) / 100)
        except InvalidOperation:
            return text
    return text


def shown(value: Any, percent: bool) -> str:
    """A stored figure as HR types it back: a rate with "%", anything else plain; None is empty."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    return plain(number * 100) + "%" if percent else plain(number)


def rows_of(view: dict[str, Any]) -> list[dict[str, str]]:
    """Each stored item as the editor's fields."""
    percent = {c["code"] for c in view["library"] if c["display"] == "percent"}
    rows = []
    for item in view["items"]:
        pct = item["indicator"] in percent
        method = item["method"] or {"kind": "ratio"}
        rows.append({
            "indicator": item["indicator"], "weight": shown(item["weight"], False),
            "target": shown(item["target"], pct), "cap": shown(item["cap"], False),
            "floor": shown(item["floor"], False), "rater": item["rater"] or "", "method": method["kind"],
            "step": shown(method.get("step"), pct), "points": shown(method.get("points"), False),
            "bands": "\n".join(f"{shown(b.get('min'), pct)}~{shown(b.get('max'), pct)}:{shown(b['points'], False)}"
                               for b in method.get("bands", [])),
        })
    return rows


def posted_rows(form: MultiDict[str, str]) -> list[dict[str, str]]:
    """The posted rows, aligned by position; a row without an indicator is an empty slot."""
    columns = {field: form.getlist(field) for field in FIELDS}
    count = len(columns["indicator"])
    rows = [{field: (columns[field][i] if i < len(columns[field]) else "") for field in FIELDS} for i in range(count)]
    return [row for row in rows if row["indicator"].strip()]


def document_of(rows: list[dict[str, str]], currency: str) -> dict[str, Any]:
    """The template document of the posted rows."""
    return {"currency": currency.strip().upper(), "items": [item_of(row) for row in rows]}


def item_of(row: dict[str, str]) -> dict[str, Any]:
    """One row as a template item: blanks left out so the domain's defaults apply."""
    item: dict[str, Any] = {"indicator": row["indicator"].strip(), "weight": entered(row.get("weight", ""))}
    for field in ("target", "floor"):
        if row.get(field, "").strip():
            item[field] = entered(row[field])
    if row.get("rater"):
        item["rater"] = row["rater"]
    kind = row.get("method") or "ratio"
    if kind == "ratio":
        if row.get("cap", "").strip():
            item["cap"] = entered(row["cap"])
    elif kind == "deduction":
        item["method"] = {"kind": kind, "step": entered(row.get("step", "")), "points": entered(row.get("points", ""))}
    elif kind == "bands":
        item["method"] = {"kind": kind, "bands": _bands(row.get("bands", ""))}
    else:
        item["method"] = {"kind": kind}
    return item


def _bands(text: str) -> list[dict[str, str]]:
    """"98%~99.5%:20" per line → {"min": "0.98", "max": "0.995", "points": "20"}."""
    bands = []
    for line in text.replace("：", ":").replace("～", "~").splitlines():
        if not line.strip():
            continue
        bounds, _, points = line.rpartition(":")
        low, _, high = bounds.partition("~")
        band = {"points": entered(points)}
        if low.strip():
            band["min"] = entered(low)
        if high.strip():
            band["max"] = entered(high)
        bands.append(band)
    return bands


# The job description (岗位说明书) beside the template: one entry per line, its parts split by "|".
JD_PARTS = {"duties": ("text", "frequency", "standard"), "authorities": ("text", "limit"), "goals": ("text", "period")}
PERIODS_ZH = {"month": "月度", "quarter": "季度", "year": "年度"}


def jd_text(view: dict[str, Any]) -> dict[str, str]:
    """Each list of the job description as the lines HR edits ("商品上架 | 每周 | 信息准确率100%")."""
    def line(entry: dict[str, str], parts: tuple[str, ...]) -> str:
        return " | ".join(PERIODS_ZH.get(entry[p], entry[p]) if p == "period" else entry[p] for p in parts).rstrip(" |")
    return {name: "\n".join(line(e, parts) for e in view[name]) for name, parts in JD_PARTS.items()}


def jd_document(form: MultiDict[str, str]) -> dict[str, list[dict[str, str]]]:
    """The posted lines as the job description's document; a goal's period written in Chinese."""
    codes = {zh: code for code, zh in PERIODS_ZH.items()}
    document: dict[str, list[dict[str, str]]] = {}
    for name, parts in JD_PARTS.items():
        entries = []
        for line in form.get(name, "").replace("｜", "|").splitlines():
            if not line.strip():
                continue
            values = [value.strip() for value in line.split("|")] + [""] * len(parts)
            entry = dict(zip(parts, values, strict=False))
            if name == "goals":
                entry["period"] = codes.get(entry["period"], entry["period"] or "quarter")
            entries.append(entry)
        document[name] = entries
    return document
