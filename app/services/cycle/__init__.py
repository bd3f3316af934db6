"""The month (考核周期) as HR runs it: its lifecycle, targets, the completeness check before the close, outcomes."""
