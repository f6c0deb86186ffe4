"""Opioid stewardship core: products, oral morphine equivalents, co-prescriptions, tapering.

Pure Python (no Django; enforced by tests/test_pure_cores.py). Facts and their
confidence marks come from shared/reference/medication.md ([V] primary source read, [S]
secondary, [U] memory/design to check). MME/OME is a risk metric, never a conversion tool
[CDC22-IG V]: nothing here derives a dose of one opioid from another.
"""
