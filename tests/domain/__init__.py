"""Tests of app/domain: pure Python, no app, database or Redis needed."""
