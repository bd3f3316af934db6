"""Queue names. Workers listen in this order, so live progress is never stuck behind a month close."""

PROGRESS = "progress"
CLOCK = "clock"
NOTIFY = "notify"
DEFAULT = "default"
SCORING = "scoring"

LISTEN_ORDER = (PROGRESS, CLOCK, NOTIFY, DEFAULT, SCORING)
