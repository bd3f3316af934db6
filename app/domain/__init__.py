"""The KPI rules of Jixiao as plain Python: scoring, progress, pace, grades, validation.

Nothing here imports Flask, SQLAlchemy, Redis or RQ (tests/test_layering.py enforces it), so
the rules can be run, tested and benchmarked without an app, and the same functions serve the
scoring run, the progress bars, the bot and `flask kpi score`.
"""
