"""Readers and schema checks for the raw inputs.

Each reader turns one source format into a tidy, validated DataFrame and raises
`ivb_analysis.errors.InputError` (file, column, row, expected, found) for anything it cannot
read. Row numbers in errors are line numbers in the file as a text editor shows them (1 = first
line, usually the header). Modules: `text` (shared CSV text handling), `statline` (CBS/Politie
StatLine and OData exports), `police` (crime aggregation, rates and benchmark groups),
`tables` (project-defined benchmark and casework tables).
"""
