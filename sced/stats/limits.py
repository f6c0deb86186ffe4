"""How long a single-case study may be: the documented limits every entry path enforces.

Single-case designs are short: the WWC standards ask for at least 3–5 points per phase
(Kratochwill et al. 2010; sced.md §1) and the published examples have 5–30 (sced.md examples).
500 sessions in one phase is over a year of daily diary; 2,000 in a study is five and a half
years. Beyond that the input is a mistake (a pasted column twice, a wrong file) or an attack:
4,000 + 4,000 sessions took 15 s and 612 MB in a worker and 10^6 rows asked for 233 GiB before
the pair statistics became rank-based (issue #15). The study form, the services, the CSV import
and ``manage.py sced_analyse`` all refuse more with these messages. Pure: no Django.
"""

from __future__ import annotations

MAX_PHASE_SESSIONS = 500
MAX_STUDY_SESSIONS = 2_000
# A file or study holds one case per measure or tier; more than this is not one study.
MAX_CASES = 50
# A batch of independent studies (``sced_analyse --independent-cases``): one case per patient,
# no test across cases, so the bound is memory and time only (1,000 cases: a few seconds).
MAX_BATCH_CASES = 2_000

MSG_PHASE_TOO_LONG = (
    "Phase {label} has {n:,} sessions; a phase can have at most {max:,} (over a year of daily "
    "values). Split the study or check the numbers."
)
MSG_STUDY_TOO_LONG = (
    "{where} has {n:,} sessions; a study can have at most {max:,}. Split the study or check the "
    "numbers."
)
MSG_SESSION_TOO_LATE = "Session {session:,} is beyond the last possible session ({max:,})."
MSG_TOO_MANY_CASES = "The file has more than {max} cases (measures); a study has at most {max}."
MSG_TOO_MANY_BATCH_CASES = (
    "The file has more than {max:,} cases; a batch of independent studies has at most {max:,}. "
    "Split the file."
)
