"""Time in the tests: Shanghai wall-clock times as the naive UTC the app stores, and the clock
that jobs read through app.config["CLOCK"] (the `clock` fixture in tests/conftest.py)."""

from datetime import date, datetime, timedelta

TODAY = date(2026, 11, 27)  # Friday 27 November 2026: the demo's "today" in most tests


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """Naive UTC of a Shanghai local time in 2026 (UTC+8)."""
    return datetime(2026, month, day, hour, minute) - timedelta(hours=8)


local = utc  # the same conversion, named for the local time a test reads it as


class Clock:
    """The notification clock (naive UTC) that jobs read through app.config["CLOCK"]."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now
