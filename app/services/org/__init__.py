"""The organisation: built-in templates (catalog), WeChat binding, retention of leavers' data."""
