"""The medication record: a list of medicines per patient, each change a new version.

A ``Medication`` is one line of the list (its identity); ``MedicationVersion`` rows are its
append-only history (who, when, why). The list on a day is each medication's latest version
effective on that day, between its start and stop dates. Every OME figure the record shows is an
``OmeFigure`` that stores the table and version that produced it (issue #11). Taper plans are
versioned and signed like treatment plans; their steps are append-only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from medicines.core import ome as core_ome
from medicines.core.products import PRODUCTS, TABLES
from medicines.core.taper import percent_change


class Frequency(models.TextChoices):
    REGULAR = core_ome.REGULAR, _("Regularly")
    AS_NEEDED = core_ome.AS_NEEDED, _("As needed")


PRODUCT_CHOICES = [(key, p.name) for key, p in PRODUCTS.items()]
TABLE_CHOICES = [(key, t.name) for key, t in TABLES.items()]


class Medication(models.Model):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="medications"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "created_at"]

    def __str__(self) -> str:
        return f"Medication {self.pk}"


class MedicationVersion(models.Model):
    medication = models.ForeignKey(Medication, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    product = models.CharField(
        _("opioid product"), max_length=40, blank=True, choices=PRODUCT_CHOICES
    )
    name = models.CharField(
        _("medicine (if not an opioid from the list)"), max_length=120, blank=True
    )
    strength = models.DecimalField(
        _("strength"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    units_per_dose = models.DecimalField(
        _("tablets, capsules or patches per dose"), max_digits=5, decimal_places=2, default=1
    )
    frequency = models.CharField(
        _("how often"), max_length=12, choices=Frequency.choices, default=Frequency.REGULAR
    )
    doses_per_day = models.DecimalField(
        _("doses a day"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    max_doses_per_day = models.DecimalField(
        _("most doses a day (as needed)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    reported_doses_per_day = models.DecimalField(
        _("doses a day the patient reports taking (as needed)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    route = models.CharField(_("route"), max_length=40, blank=True)
    start_date = models.DateField(_("started"))
    stop_date = models.DateField(_("stopped"), null=True, blank=True)
    effective_from = models.DateField(_("this version applies from"))
    prescriber = models.CharField(_("prescriber"), max_length=120, blank=True)
    indication = models.CharField(_("what it is for"), max_length=200, blank=True)
    change_reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["medication", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["medication", "version"], name="medication_one_row_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} v{self.version}"

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return PRODUCTS[self.product].name if self.product in PRODUCTS else self.product

    @property
    def is_opioid(self) -> bool:
        return bool(self.product)

    def active_on(self, day) -> bool:
        return self.start_date <= day and (self.stop_date is None or day < self.stop_date)

    def to_core(self) -> core_ome.Medication:
        def f(value):
            return None if value is None else float(value)

        if not self.product:
            return core_ome.Medication(name=self.name)
        return core_ome.Medication(
            product=self.product,
            name=self.name,
            strength=float(self.strength),
            units_per_dose=float(self.units_per_dose),
            frequency=self.frequency,
            doses_per_day=f(self.doses_per_day),
            max_doses_per_day=f(self.max_doses_per_day),
            reported_doses_per_day=f(self.reported_doses_per_day),
        )

    @property
    def dose_text(self) -> str:
        """The dose as a prescriber writes it: '20 mg, twice a day' or '2 × 30 mg, 4 times a day'."""
        if self.strength is None:
            return ""

        def n(value) -> str:
            return f"{value.normalize():f}"

        unit = self.unit or (PRODUCTS[self.product].unit if self.product in PRODUCTS else "")
        strength = f"{n(self.strength)} {unit}"
        if self.units_per_dose != 1:
            strength = f"{n(self.units_per_dose)} × {strength}"
        if self.product in PRODUCTS and PRODUCTS[self.product].is_patch:
            return str(_("%(s)s patch") % {"s": strength})
        if self.frequency == Frequency.AS_NEEDED:
            return str(
                _("%(s)s as needed, at most %(m)s times a day")
                % {"s": strength, "m": n(self.max_doses_per_day) if self.max_doses_per_day else "?"}
            )
        times = {1: _("once a day"), 2: _("twice a day")}.get(
            self.doses_per_day, _("%(d)s times a day") % {"d": n(self.doses_per_day or 0)}
        )
        return f"{strength}, {times}"


class OmeFigure(models.Model):
    """A computed daily OME, stored with the table and version that produced it."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="ome_figures"
    )
    as_of = models.DateField()
    table = models.CharField(max_length=20, choices=TABLE_CHOICES)
    table_version = models.CharField(max_length=200)
    total = models.DecimalField(max_digits=8, decimal_places=1)
    total_reported = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    incomplete = models.BooleanField(default=False)
    result = models.JSONField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "as_of", "computed_at"]
        indexes = [models.Index(fields=["patient", "as_of"], name="ome_patient_as_of")]

    def __str__(self) -> str:
        return f"OME {self.total} ({self.table})"


class NaloxoneOffer(models.Model):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="naloxone_offers"
    )
    offered_on = models.DateField(_("naloxone offered on"))
    accepted = models.BooleanField(_("the patient accepted a naloxone kit"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "-offered_on"]

    def __str__(self) -> str:
        return f"Naloxone offered {self.offered_on}"


class TaperBasis(models.TextChoices):
    CURRENT = "current", _("of the dose at each step")
    STARTING = "starting", _("of the starting dose")


class TaperPlan(models.Model):
    """One signed version of a patient's opioid taper plan, in daily oral morphine equivalents
    (the figure the record computes with the clinic's table). Append-only, like TreatmentPlan."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="taper_plans"
    )
    version = models.PositiveIntegerField()
    start_date = models.DateField(_("first step on"))
    start_dose = models.DecimalField(
        _("starting dose (mg oral morphine a day)"), max_digits=8, decimal_places=1
    )
    target_dose = models.DecimalField(
        _("target dose (mg oral morphine a day)"), max_digits=8, decimal_places=1
    )
    percent = models.DecimalField(_("reduction per step (%)"), max_digits=4, decimal_places=1)
    basis = models.CharField(
        _("percentage"), max_length=10, choices=TaperBasis.choices, default=TaperBasis.CURRENT
    )
    interval_days = models.PositiveIntegerField(_("days between steps"))
    reason = models.TextField(_("why taper"))
    shared_decision = models.TextField(_("what the patient and clinician agreed"))
    table = models.CharField(max_length=20, choices=TABLE_CHOICES)
    table_version = models.CharField(max_length=200)
    change_reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "version"], name="taper_one_row_per_version")
        ]

    def __str__(self) -> str:
        return f"Taper plan v{self.version}"


class TaperStep(models.Model):
    """A step actually taken (or a pause), recorded against the plan. Append-only."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="taper_steps"
    )
    plan = models.ForeignKey(TaperPlan, on_delete=models.PROTECT, related_name="steps")
    on = models.DateField(_("date"))
    dose_before = models.DecimalField(
        _("dose before (mg oral morphine a day)"), max_digits=8, decimal_places=1
    )
    dose_after = models.DecimalField(
        _("dose after (mg oral morphine a day)"), max_digits=8, decimal_places=1
    )
    paused = models.BooleanField(_("pause the taper at this dose"), default=False)
    increase_marked = models.BooleanField(
        _("this step increases the dose, on purpose"), default=False
    )
    reason = models.CharField(_("reason"), max_length=300)
    shared_decision = models.BooleanField(_("decided together with the patient"), default=False)
    withdrawal = models.CharField(_("withdrawal symptoms"), max_length=300, blank=True)
    pain = models.CharField(_("pain"), max_length=300, blank=True)
    mood = models.CharField(_("mood"), max_length=300, blank=True)
    function = models.CharField(_("function"), max_length=300, blank=True)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "on", "recorded_at"]

    def __str__(self) -> str:
        return f"Taper step {self.on}"

    @property
    def percent_change(self) -> float:
        return percent_change(float(self.dose_before), float(self.dose_after))
