"""Seeded generator of the SYNTHETIC demo delivery for Hengelo.

The only place in the library that names a gemeente.

`python -m ivb_analysis.demo --out data/raw/demo` rewrites every file of the committed demo.
"""
