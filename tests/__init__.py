"""Test package root, so `tests.reference` imports the same way from tests and from bench/."""
