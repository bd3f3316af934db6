"""Generated screenshots that look like the seller tools' screens (a title bar, a date, cards of
figures as the tools print them: "$3,421.50", "4.0%", "1,000 次"), with no real person's data.

The demo's past entries carry them, and the OCR tests and bench read them.
"""

import io
import random
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONTS = (  # Debian's fonts-noto-cjk, then the names other systems use
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
)
WIDTH = 750
THEMES = {  # tool → (bar colour, title)
    "amazon": ((35, 47, 62), "Seller Central 业务报告"),
    "zendesk": ((3, 54, 61), "Zendesk 客服数据"),
    "erp": ((22, 119, 255), "ERP 仓储看板"),
    "design": ((114, 46, 209), "设计任务看板"),
    "purchase": ((250, 140, 22), "1688 采购单"),
}


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    raise FileNotFoundError("no CJK font: install fonts-noto-cjk (.ci/system-packages.sh)")


def seller_screen(tool: str, day_label: str, cards: list[tuple[str, str]], seed: int = 0) -> bytes:
    """A PNG of one tool's day: each card is (label, figure as the tool prints it)."""
    bar, title = THEMES[tool]
    rows = (len(cards) + 1) // 2
    height = 150 + rows * 130 + 40
    image = Image.new("RGB", (WIDTH, height), (245, 246, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 70), fill=bar)
    draw.text((24, 18), title, fill="white", font=_font(28))
    draw.text((24, 88), f"统计日期：{day_label}", fill=(90, 90, 90), font=_font(22))
    rnd = random.Random(seed)
    for index, (label, figure) in enumerate(cards):
        x, y = 24 + (index % 2) * 357, 130 + (index // 2) * 130
        draw.rounded_rectangle((x, y, x + 345, y + 115), radius=10, fill="white", outline=(225, 228, 232))
        draw.text((x + 18, y + 14), label, fill=(110, 110, 110), font=_font(22))
        draw.text((x + 18, y + 50), figure, fill=(20, 20, 20), font=_font(36))
        trend = rnd.choice(("较前日 ↑", "较前日 ↓"))
        draw.text((x + 230, y + 20), trend, fill=(150, 150, 150), font=_font(16))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
