"""Seeded generator of the SYNTHETIC demo delivery for Hengelo (the project's only gemeente constants).

`python -m ivb_analysis.demo --out data/raw/demo` rewrites every file of the committed demo.
"""
