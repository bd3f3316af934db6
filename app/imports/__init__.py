"""The one importer: CSV/XLSX files in the documented formats (docs/imports.md), read through a
column mapping or a preset, staged, and moved into the real tables all at once (set-based), with
the same attribution and write path as the connectors."""
