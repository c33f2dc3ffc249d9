"""Cleaning: raw codes -> canonical items -> one value per respondent and indicator (tidy, long)."""
