"""Connectors: the figures that live in other systems (Amazon, Zendesk) arrive by themselves.

Each vendor module turns the vendor's own API into source records (`base.Record`); `runs.sync`
attributes them to people, refuses figures out of range and writes them through the one write path
(app.services.observations.sync.record_run) as one audited sync run (docs/connectors.md).
"""
