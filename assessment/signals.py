"""Signals the assessment app sends for the apps above it (they import from below, never the
other way round: DESIGN.md "Architecture").

``result_amended``: sent inside ``services.administration_amend``'s transaction, after the
amendment is stored and the pathway decisions resting on the result are flagged. Receivers get
``administration``, ``amendment`` and ``actor``; a decision elsewhere that was based on the old
result (e.g. a treatment suggestion's evidence holds its ``result_id``) can be flagged for review
in the same transaction, with its own audit event.

``administration_saved``: sent inside the transaction of every save of an administration's
answers (a draft save by a clinician, a signing, an amendment). Receivers get ``administration``,
``actor`` (None for answers given through a patient link) and ``stage`` ("draft", "signed",
"amended", or "link_draft" for an answer saved through a patient link). The safety app raises
the self-harm signal from it (issue #10).

``patient_link_submitted``: sent inside ``services.patient_link_submit``'s transaction when the
patient sends their answers. Receivers get ``link`` and its ``administrations`` (still drafts).
"""

from django.dispatch import Signal

result_amended = Signal()
administration_saved = Signal()
patient_link_submitted = Signal()
