"""A company with HR, an admin, an operator, a warehouse packer and a CS agent, and a helper that
writes a CSV or XLSX file the way the exports do."""

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.extensions import db
from tests.support.company import department, hire, small_company


@dataclass
class Company:
    admin: object
    hr: object
    operator: object
    packer: object
    agent: object


@pytest.fixture
def company(db_session, clock):
    people = small_company()
    people.boss.is_admin = True
    packer = hire("周打包", department("warehouse", "仓储部"), position="warehouse", manager=people.boss)
    agent = hire("孙客服", department("cs", "客服部"), position="cs", manager=people.boss)
    db.session.commit()
    return Company(people.boss, people.hr, people.star, packer, agent)


@pytest.fixture
def write(tmp_path):
    """write(name, rows, encoding="utf-8-sig") → the path of a CSV (or, for *.xlsx, a workbook)."""
    def make(name: str, rows: list[list], encoding: str = "utf-8-sig") -> Path:
        path = tmp_path / name
        if name.endswith(".xlsx"):
            book = Workbook()
            for row in rows:
                book.active.append(row)
            book.save(path)
        else:
            with path.open("w", encoding=encoding, newline="") as file:
                csv.writer(file).writerows(rows)
        return path
    return make
