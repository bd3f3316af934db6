"""Independent reference implementations, written with fractions.Fraction only.

Nothing here imports from `app`: a differential test that shared code with what it checks would
agree with its own mistakes.
"""
