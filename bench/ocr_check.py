"""How many screenshots one worker reads per minute (issue 20), and whether it reads them right.

    .venv/bin/python bench/ocr_check.py --seconds 60

Generates seller-tool screens (app/demo/screens.py) with Chinese labels and figures printed the
tools' way ($3,421.50, 4.0%, 1,000 次, ￥12,345), cleans each as an upload would, then reads them one
after another with the worker's OCR for `--seconds`, as one RQ worker does. Prints screenshots per
minute per worker and the seconds per screenshot (p50/p95), and exits non-zero when any screen's own
figure was not found on it by the figure check (app/domain/screen_figures.py).
"""

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal

import common  # noqa: F401  (puts the project on sys.path)

from app.demo.screens import seller_screen
from app.domain.screen_figures import SEEN, Claim, figure_check
from app.services.observations import images, ocr

LABELS = {
    "amazon": [("订购商品销售额", "${:,.2f}", False), ("买家访问次数", "{:,}", False), ("新品转化率", "{:.1f}%", True)],
    "zendesk": [("平均首次回复", "{} 秒", False), ("好评率", "{:.1f}%", True), ("解决工单", "{:,} 个", False)],
    "erp": [("今日发货", "{:,} 单", False), ("错发件数", "{} 件", False), ("库存准确率", "{:.2f}%", True)],
    "purchase": [("采购金额", "￥{:,.2f}", False), ("到货准时率", "{:.1f}%", True), ("供应商数", "{} 家", False)],
}


def screens(count: int, seed: int) -> list[tuple[bytes, Claim]]:
    """`count` screens, each with the claim its first card backs."""
    rnd = random.Random(seed)
    made = []
    for index in range(count):
        tool = rnd.choice(sorted(LABELS))
        cards, claim = [], None
        for label, pattern, percent in LABELS[tool]:
            value = Decimal(rnd.randint(100, 9999)) / 100 if percent else (
                Decimal(rnd.randint(100, 999999)) / 100 if "." in pattern else Decimal(rnd.randint(1, 20000)))
            cards.append((label, pattern.format(value if "." in pattern else int(value))))
            claim = claim or (Claim(value, Decimal(100), True) if percent else Claim(value))
        png = images.clean(seller_screen(tool, f"2026-11-{index % 28 + 1:02d}", cards, seed=index)).data
        assert claim is not None
        made.append((png, claim))
    return made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--screens", type=int, default=40, help="distinct screens, read round-robin")
    args = parser.parse_args()
    made = screens(args.screens, seed=20)
    started = time.perf_counter()
    ocr.read_text(made[0][0])  # the engine loads once per worker process
    print(f"engine load + first read: {time.perf_counter() - started:.2f} s")
    durations, missed, index = [], 0, 0
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline:
        png, claim = made[index % len(made)]
        began = time.perf_counter()
        text = ocr.read_text(png)
        durations.append(time.perf_counter() - began)
        missed += figure_check([claim], [text]) != SEEN
        index += 1
    per_minute = len(durations) / sum(durations) * 60
    p95 = statistics.quantiles(durations, n=20)[-1] if len(durations) >= 20 else max(durations)
    print(f"read {len(durations)} screenshots in {sum(durations):.1f} s: {per_minute:.0f} per minute per worker")
    print(f"seconds per screenshot: p50 {statistics.median(durations):.2f}  p95 {p95:.2f}")
    print(f"claimed figure not found on its own screen: {missed} of {len(durations)}")
    if missed:
        sys.exit(f"the figure check missed {missed} figures that were on the screen")


if __name__ == "__main__":
    main()
