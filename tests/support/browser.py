"""Real headless Chromium (Debian's, driven by Playwright) against the web tier as `make run` starts
it, and the screenshots of what HR sees. Screenshots go to build/screenshots/ (1440 × 900); the
checks over a page's text are the same for every screen."""

import re
from contextlib import contextmanager
from pathlib import Path

from config import BASE_DIR

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = BASE_DIR / "build" / "screenshots"
VIEWPORT = {"width": 1440, "height": 900}
# what a page must never show: a template's leftovers, JavaScript's or Python's empties, a traceback
LEAKS = re.compile(r"undefined|NaN|\bNone\b|\{\{|\}\}|\{%|Traceback|Exception|Error:|jinja2")


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def shoot(page, name: str, folder: str = "console") -> Path:
    """Save the page at 1440 × 900 (full length) after checking what it shows; returns the file."""
    check_text(page.inner_text("body"), name)
    path = SHOTS / folder / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def check_text(text: str, name: str) -> None:
    """A page with next to nothing on it, or with something no person should read, fails."""
    visible = " ".join(text.split())
    assert len(visible) >= 20, f"{name}: the page is (nearly) blank: {visible!r}"
    leak = LEAKS.search(visible)
    assert leak is None, f"{name}: shows {leak.group(0)!r}: …{visible[max(0, leak.start() - 60):leak.end() + 60]}…"
