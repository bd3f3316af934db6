"""Photographs of the mini-program's pages (issue 22): `make screenshots` renders every page from
each recorded state with miniprogram-simulate (miniprogram/tests/renders.test.js writes the DOM
and the WXSS as HTML) and shows each in headless Chromium at 375 × 812 with Chinese fonts, into
miniprogram/screenshots/<page>--<state>.png.

    .venv/bin/python -m tests.miniprogram.screenshots

A render fails when its content is wider than the 375 px screen or its image is blank; the text
checks (no undefined/NaN/null/{{, every string the state names shown) run in the jest test.
"""

import subprocess
import sys
from io import BytesIO
from pathlib import Path

from PIL import Image

from tests.support.browser import chromium

MINIPROGRAM = Path(__file__).resolve().parents[2] / "miniprogram"
HTML = MINIPROGRAM / "screenshots" / "html"
WIDTH, HEIGHT = 375, 812


def node(*command: str, **options) -> subprocess.CompletedProcess:
    """Run a Node command in miniprogram/ once its packages are installed and "构建 npm" is done
    (miniprogram_npm/, which a fresh clone lacks until then); a failure shows what Node printed."""
    if not (MINIPROGRAM / "node_modules").is_dir():
        raise SystemExit("miniprogram/node_modules is missing: run `make test` (or `cd miniprogram && npm ci`) first")
    for step in (["node", "scripts/pack-npm.js"], list(command)):
        done = subprocess.run(step, cwd=MINIPROGRAM, capture_output=True, text=True, **options)
        if done.returncode != 0 and step[0] == "node":
            raise AssertionError(f"{' '.join(step)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


SOURCES = ("app.wxss", "pages", "components", "utils", "styles", "tests/recorded", "tests/support",
           "tests/renders.test.js")


def fresh_renders() -> list[Path]:
    """The HTML renders `npm test` just wrote (make test runs it first), when nothing they are made
    of changed since; otherwise none."""
    rendered = sorted(HTML.glob("*.html"))
    made_of = [f for name in SOURCES for f in ([MINIPROGRAM / name] + list((MINIPROGRAM / name).rglob("*")))
               if f.is_file()]
    if not rendered or max(f.stat().st_mtime for f in made_of) > min(f.stat().st_mtime for f in rendered):
        return []
    return rendered


def render_html() -> list[Path]:
    """Run the renders (jest), unless `npm test` has just made them; answers the HTML files."""
    if reused := fresh_renders():
        return reused
    for stale in HTML.glob("*.html"):
        stale.unlink()
    done = node("npx", "jest", "tests/renders.test.js")
    if done.returncode != 0:
        raise AssertionError(f"the renders failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return sorted(HTML.glob("*.html"))


def problems(png: bytes, scroll_width: int) -> list[str]:
    """What is wrong with one photograph: content past the screen's edge, or nothing to see."""
    found = []
    if scroll_width > WIDTH:
        found.append(f"content is {scroll_width} px wide (screen {WIDTH} px)")
    image = Image.open(BytesIO(png)).convert("L")
    low, high = image.getextrema()
    shades = sum(1 for count in image.resize((75, 162)).histogram() if count)
    if high - low < 40 or shades < 8:
        found.append("the image is blank")
    return found


def shoot(files: list[Path]) -> dict[str, list[str]]:
    """Photograph each render; answers file name → problems (empty when fine)."""
    found = {}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=2)
        for html in files:
            page.goto(html.as_uri())
            page.wait_for_load_state("load")
            width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
            png = page.screenshot(full_page=False)
            (html.parent.parent / f"{html.stem}.png").write_bytes(png)
            found[html.stem] = problems(png, width)
    return found


def main() -> int:
    found = shoot(render_html())
    for name, issues in found.items():
        print(f"{name}: {'; '.join(issues) if issues else 'ok'}")
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
