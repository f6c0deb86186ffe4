"""FHIR R4 (4.0.1) export: plain records in, JSON-ready dicts out.

Pure-ish: no ORM and no request here. ``interop.selectors`` gathers the plain records from the
apps' selectors, ``interop.services`` checks access and audits, and these modules only map.

- ``codes``: code systems, the clinic's local code system URLs and the required value sets.
- ``records``: the plain data the builders take.
- ``questionnaire``: an instrument definition as a ``Questionnaire``.
- ``bundle``: a patient's record as a ``Bundle`` of type ``collection``.
- ``checks``: the checks the FHIR model library misses (status codes, references, ids, dates).
"""
