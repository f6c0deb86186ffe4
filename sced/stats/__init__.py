"""Single-case experimental design statistics (pure Python: stdlib, numpy, scipy; no Django).

Modules: phases, descriptives, visual, nonoverlap, parametric, analysis (definitions and
reference values: shared/reference/sced.md, sced_examples.json).
"""
