"""News the clock tells people: manager digests, announcements (targets, reminders, reports), alerts."""
