"""Scoring and live progress: the inputs loaded for the domain, scoring runs and their chunks, progress
bars, reports and their answer window."""
