"""The mini-program's pages photographed at 375 × 812 (tests/miniprogram/screenshots.py): every
page of app.json, every recorded state, none wider than the screen and none blank."""

import json
from io import BytesIO

from PIL import Image

from tests.miniprogram import screenshots


def test_every_page_state_is_photographed_within_the_screen_and_not_blank():
    files = screenshots.render_html()
    pages = json.loads((screenshots.MINIPROGRAM / "app.json").read_text())["pages"]
    states = {(p.split("/")[1], f.stem) for p in pages for f in (screenshots.MINIPROGRAM / "tests" / "recorded"
                                                                  / p.split("/")[1]).glob("*.json")}
    assert {tuple(f.stem.split("--")) for f in files} == states
    found = screenshots.shoot(files)
    assert found == {name: [] for name in found}
    for name in found:
        size = Image.open(screenshots.MINIPROGRAM / "screenshots" / f"{name}.png").size
        assert size == (750, 1624)  # 375 × 812 at 2×


def test_content_wider_than_the_screen_or_a_blank_image_is_caught():
    blank, busy = BytesIO(), BytesIO()
    Image.new("RGB", (750, 1624), "#f5f6f7").save(blank, "PNG")
    picture = Image.effect_mandelbrot((750, 1624), (-2, -1.5, 1, 1.5), 100)
    picture.save(busy, "PNG")
    assert screenshots.problems(blank.getvalue(), 375) == ["the image is blank"]
    assert screenshots.problems(busy.getvalue(), 420) == ["content is 420 px wide (screen 375 px)"]
    assert screenshots.problems(busy.getvalue(), 375) == []
