"""Screenshot jobs: WeChat's content check (queue `default`) and OCR (queue `evidence`).

Both take the screenshot's id and reload it; both are safe to run twice (a checked image is not
sent again, a read one is not read again).
"""

from app.services.observations import screenshots


def check_screenshot(screenshot_id: int) -> str:
    return screenshots.request_check(screenshot_id)


def read_screenshot(screenshot_id: int) -> str | None:
    return screenshots.read(screenshot_id)
