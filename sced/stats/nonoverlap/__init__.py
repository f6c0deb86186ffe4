"""Non-overlap indices for one A/B comparison: NAP, Tau, Tau-U, Tau-BC, PND, PEM, PAND, IRD.

Definitions follow SingleCaseES 0.7.4 and scan 0.67.1 exactly (shared/reference/sced.md §2.1–§2.7).
All inputs are the two phases' values in session order, missing values already dropped
(``sced.stats.phases.clean_values``).  Pairwise comparisons are numpy outer differences, so a
60-point series costs well under a millisecond per index.

Modules, along the indices' own seams:
- ``base``: the ``EffectSize`` result type and the helpers that build one (``make_effect``,
  ``undefined``, ``z_crit``);
- ``nap``: NAP and Tau, with the Newcombe intervals;
- ``tau_u``: Kendall's S / tau and the Tau-U family;
- ``overlap``: PND, PEM, PAND and IRD;
- ``trend``: Theil–Sen lines, Tau-BC and scan's corrected Tau.

Every public name (and the few private helpers the rank-based tests compare with) is re-exported
here, so ``from sced.stats import nonoverlap as no; no.nap(...)`` keeps working.
"""

from __future__ import annotations

from .base import EffectSize, Values, make_effect, undefined, z_crit
from .nap import NAP_CI_METHODS, NapCI, NapSE, nap, nap_ci, tau, tau_from_nap
from .overlap import _pand_kept, ird, pand, pand_pooled, pem, pnd
from .tau_u import (
    TAU_U_ROWS,
    KendallTau,
    TauUMethod,
    _kendall_s,
    _later_minus_earlier,
    _row_name,
    kendall_tau,
    kendall_var_s,
    tau_u,
    tau_u_meta,
    tau_u_singlecasees,
    tau_u_table,
    two_sided_normal_p,
)
from .trend import Line, corrected_tau_scan, kendall_pretest_p, tau_bc, theil_sen

__all__ = [
    "NAP_CI_METHODS",
    "TAU_U_ROWS",
    "EffectSize",
    "KendallTau",
    "Line",
    "NapCI",
    "NapSE",
    "TauUMethod",
    "Values",
    "_kendall_s",
    "_later_minus_earlier",
    "_pand_kept",
    "_row_name",
    "corrected_tau_scan",
    "ird",
    "kendall_pretest_p",
    "kendall_tau",
    "kendall_var_s",
    "make_effect",
    "nap",
    "nap_ci",
    "pand",
    "pand_pooled",
    "pem",
    "pnd",
    "tau",
    "tau_bc",
    "tau_from_nap",
    "tau_u",
    "tau_u_meta",
    "tau_u_singlecasees",
    "tau_u_table",
    "theil_sen",
    "two_sided_normal_p",
    "undefined",
    "z_crit",
]
