"""A person's month as a PDF (考核报告PDF), rendered on demand by one warm Chromium per process.

Chromium embeds a subset of the CJK font the page uses (WenQuanYi Micro Hei, a TrueType face: see
docs/reports.md), which is what makes the PDF readable anywhere. Starting a browser takes about a
second, so it is started once and kept; Playwright's synchronous API belongs to the thread that
started it, so every render runs on one dedicated thread and callers (web request threads) wait for
their turn. The browser ends with the process (Playwright's driver closes it when its parent goes).
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.errors import ApiError
from app.extensions import db
from app.models import Cycle, Employee
from app.reporting import month_book
from app.services import audit
from app.services.authz import Action, Actor, Subject, require
from app.services.business_time import to_local
from app.services.usecase import get_or_404, use_case

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                        autoescape=select_autoescape(("html",)))
TEMPLATES.filters["local_time"] = lambda moment: to_local(moment).strftime("%Y-%m-%d %H:%M")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
RENDER_TIMEOUT_SECONDS = 60


class Renderer:
    """One Chromium, started on first use, driven from one thread."""

    def __init__(self, executable: str):
        self.executable = executable
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")
        self._playwright: Any = None
        self._browser: Any = None

    def render(self, html: str) -> bytes:
        return self._thread.submit(self._render, html).result(timeout=RENDER_TIMEOUT_SECONDS)

    def _render(self, html: str) -> bytes:
        if self._browser is None or not self._browser.is_connected():
            self._start()
        page = self._browser.new_page()
        try:
            page.set_content(html, wait_until="load")
            return bytes(page.pdf(format="A4", print_background=True,
                                  margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"}))
        finally:
            page.close()

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright  # a web process that never renders never loads it

        self._stop()
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=self.executable, args=CHROMIUM_ARGS)

    def _stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._browser = self._playwright = None


_renderers: dict[str, Renderer] = {}
_lock = threading.Lock()


def renderer(executable: str) -> Renderer:
    """This process's renderer (a forked worker starts its own on first use)."""
    with _lock:
        if executable not in _renderers:
            _renderers[executable] = Renderer(executable)
        return _renderers[executable]


def person_html(cycle_id: int, employee_id: int, who: Actor, *, now: datetime) -> tuple[str, str]:
    """(file name, HTML) of the person's month: result, summary sentence, every item, appeals,
    comments and outcomes, as of their latest report versions."""
    require(who, Action.VIEW_REPORT, Subject(employee_id))
    cycle = get_or_404(Cycle, cycle_id, "考核月份")
    person = get_or_404(Employee, employee_id, "员工")
    book = month_book.read(cycle_id, now=now, employee_id=employee_id)
    if not book.people:
        raise ApiError("no_report", f"{person.name}在{cycle.year}年{cycle.month}月没有已发布的考核报告", 404)
    html = TEMPLATES.get_template("person_report.html").render(book=book, person=book.people[0], printed=now)
    return f"{cycle.year}年{cycle.month}月考核报告-{person.employee_no}-{person.name}.pdf", html


@use_case
def person_pdf(cycle_id: int, employee_id: int, who: Actor, *, now: datetime, chromium: str) -> tuple[str, bytes]:
    """(file name, PDF bytes) of the person's month; who took it is audited."""
    name, html = person_html(cycle_id, employee_id, who, now=now)
    data = renderer(chromium).render(html)
    audit.record("report.pdf", "employee", employee_id, actor_id=who.employee_id, after={"cycle_id": cycle_id})
    db.session.commit()
    return name, data
