"""Figures coming in: the sync/import write path, daily submissions, corrections after the edit window."""
