"""Signals the assessment app sends for the apps above it (they import from below, never the
other way round: DESIGN.md "Architecture").

``result_amended``: sent inside ``services.administration_amend``'s transaction, after the
amendment is stored and the pathway decisions resting on the result are flagged. Receivers get
``administration``, ``amendment`` and ``actor``; a decision elsewhere that was based on the old
result (e.g. a treatment suggestion's evidence holds its ``result_id``) can be flagged for review
in the same transaction, with its own audit event.
"""

from django.dispatch import Signal

result_amended = Signal()
