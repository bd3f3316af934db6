"""Connectors against the vendors' stand-in on a real port: a company with an admin, a CS agent and
an operator, the vendor hosts pointed at the stand-in, and a sleep that records instead of waiting."""

from dataclasses import dataclass

import pytest

from app.extensions import db
from app.standins.harness import RunningVendors
from tests.support.company import department, hire, small_company


@pytest.fixture(scope="session")
def running_vendors():
    vendors = RunningVendors()
    yield vendors
    vendors.stop()


@pytest.fixture
def vendors(running_vendors, app, clock, monkeypatch):
    """The stand-in, emptied of scripts and recorded requests, and the app pointed at it."""
    running_vendors.reset()
    for key, path in (("ZENDESK_URL", ""), ("SP_API_URL", ""), ("AMAZON_ADS_URL", ""),
                      ("AMAZON_LWA_URL", "/auth/o2/token")):
        monkeypatch.setitem(app.config, key, running_vendors.url + path)
    return running_vendors


class Sleeps(list):
    """The injected sleep: remembers each wait (seconds) instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@dataclass
class Company:
    admin: object
    hr: object
    agent: object
    operator: object


@pytest.fixture
def company(db_session):
    people = small_company()
    people.boss.is_admin = True
    agent = hire("孙客服", department("cs", "客服部"), position="cs", manager=people.boss)
    db.session.commit()
    return Company(people.boss, people.hr, agent, people.star)
