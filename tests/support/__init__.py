"""Helpers the tests share: the injected clock, people and roles, outbox and news helpers, a small
company built for a test, database checksums and connections. Plain functions and classes only:
the fixtures that use them live in conftest.py files, and no test module imports another."""
