"""Forms of the SCED pages. They parse; the services decide."""

from __future__ import annotations

from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from painclinic.concurrency import EditTokenFormMixin
from painclinic.numbers import parse_float, parse_int
from painclinic.validators import planned_clinical_date
from sced.models import (
    MBD_DESIGNS,
    Design,
    DiaryLinkKind,
    Improvement,
    Measure,
    MeasureRole,
)
from sced.stats.limits import MAX_PHASE_SESSIONS, MAX_STUDY_SESSIONS

# A measure's range: any rating, count or minutes fits; keeps plot and range arithmetic finite.
MEASURE_BOUND = 1_000_000_000

# An alternating-treatments plan is drawn by recursion over sessions (sced/stats/atd.py).
ATD_MAX_SESSIONS = 200
# A changing-criterion plan: far more phases than any clinic runs.
MAX_CRITERION_PHASES = 20

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StudyForm(forms.Form):
    episode = forms.ModelChoiceField(queryset=None, label=_("Episode of care"), empty_label=None)
    clinical_question = forms.CharField(
        label=_("Clinical question"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. 'Does graded exposure reduce Jannick's fear of lifting?'"),
    )
    design = forms.ChoiceField(label=_("Design"), choices=Design.choices, initial=Design.AB)
    # Upper bounds: sced/stats/limits.py (the service checks the total of the plan too).
    baseline_length = forms.IntegerField(
        label=_("Planned sessions per baseline (A) phase"),
        min_value=1,
        max_value=MAX_PHASE_SESSIONS,
        initial=7,
    )
    intervention_length = forms.IntegerField(
        label=_("Planned sessions per intervention (B) phase"),
        min_value=1,
        max_value=MAX_PHASE_SESSIONS,
        initial=14,
    )
    min_phase_length = forms.IntegerField(
        label=_("Minimum phase length"), min_value=1, max_value=MAX_PHASE_SESSIONS, initial=3
    )
    start_date = forms.DateField(
        label=_("First baseline day"),
        required=False,
        widget=DATE_INPUT,
        validators=[planned_clinical_date],
    )
    # Alternating treatments (issue #12): the sequence is drawn when the study is created.
    atd_sessions = forms.IntegerField(
        label=_("Alternating treatments: number of sessions"),
        required=False,
        min_value=2,
        max_value=ATD_MAX_SESSIONS,
        help_text=_("Half are A, half B; the order is drawn at random when the study is created."),
    )
    atd_max_consecutive = forms.IntegerField(
        label=_("Largest number of consecutive sessions of one condition"),
        required=False,
        min_value=1,
        max_value=ATD_MAX_SESSIONS,
        initial=2,
    )
    criteria = forms.CharField(
        label=_("Changing criterion: one criterion phase per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The criterion, then the planned number of sessions, separated by a semicolon: "
            "'4; 7' is a criterion of 4 for 7 sessions. Give at least three changes."
        ),
    )
    measure_name = forms.CharField(label=_("Outcome measure"), max_length=120)
    measure_unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    measure_min = forms.FloatField(
        label=_("Lowest value"), initial=0, min_value=-MEASURE_BOUND, max_value=MEASURE_BOUND
    )
    measure_max = forms.FloatField(
        label=_("Highest value"), initial=10, min_value=-MEASURE_BOUND, max_value=MEASURE_BOUND
    )
    measure_improvement = forms.ChoiceField(
        label=_("Direction of improvement"), choices=Improvement.choices
    )
    measure_description = forms.CharField(
        label=_("Source of the measure"),
        max_length=300,
        required=False,
        help_text=_("e.g. 'Daily fear of lifting a crate (exposure hierarchy item)'"),
    )
    more_tiers = forms.CharField(
        label=_("Multiple baseline: the other tiers, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Each behaviour or setting is one tier with its own staggered start; the measure "
            "above is the first tier and the others share its unit, range and direction."
        ),
    )

    process_measures = forms.CharField(
        label=_("Process measures, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Measures that should change with the outcome, each line as: name; unit; lowest; "
            "highest; higher or lower (which is better). e.g. 'Pain-related fear; 0-10; 0; 10; "
            "lower'. They are plotted and described; the randomization test is on the outcome."
        ),
    )

    def __init__(self, *args, episodes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["episode"].queryset = episodes
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("The question and the design"),
                "episode",
                "clinical_question",
                Row(
                    Column("design", css_class="col-md-4"),
                    Column("baseline_length", css_class="col-md-3"),
                    Column("intervention_length", css_class="col-md-3"),
                    Column("min_phase_length", css_class="col-md-2"),
                ),
                Row(Column("start_date", css_class="col-md-4")),
                Row(
                    Column("atd_sessions", css_class="col-md-4"),
                    Column("atd_max_consecutive", css_class="col-md-4"),
                ),
                "criteria",
            ),
            Fieldset(
                _("Outcome measure"),
                Row(
                    Column("measure_name", css_class="col-md-5"),
                    Column("measure_unit", css_class="col-md-2"),
                    Column("measure_min", css_class="col-md-2"),
                    Column("measure_max", css_class="col-md-3"),
                ),
                Row(
                    Column("measure_improvement", css_class="col-md-4"),
                    Column("measure_description", css_class="col-md-8"),
                ),
                "more_tiers",
            ),
            Fieldset(_("Process measures"), "process_measures"),
            Submit("submit", _("Create study")),
        )

    def clean(self):
        data = super().clean()
        tiers = [t.strip() for t in (data.get("more_tiers") or "").splitlines() if t.strip()]
        if tiers and data.get("design") not in MBD_DESIGNS:
            self.add_error("more_tiers", _("Other tiers are for multiple-baseline designs only."))
        if data.get("design") in MBD_DESIGNS and not tiers:
            self.add_error(
                "more_tiers", _("A multiple baseline needs at least one more tier (behaviour).")
            )
        data["tiers"] = tiers
        data["process"] = self._process_measures(data.get("process_measures") or "")
        if data["process"] and data.get("design") in MBD_DESIGNS:
            self.add_error(
                "process_measures",
                _("In a multiple baseline every measure is a tier: list them as tiers."),
            )
        design = data.get("design")
        if design == Design.ATD:
            if not data.get("atd_sessions"):
                self.add_error("atd_sessions", _("Give the number of sessions."))
            elif data["atd_sessions"] % 2:
                self.add_error(
                    "atd_sessions", _("Give an even number: half the sessions are A, half B.")
                )
            if not data.get("atd_max_consecutive"):
                self.add_error(
                    "atd_max_consecutive",
                    _("Give the largest number of consecutive sessions of one condition."),
                )
        elif data.get("atd_sessions"):
            self.add_error("atd_sessions", _("This is for alternating-treatments studies only."))
        data["criteria_rows"] = []
        text = (data.get("criteria") or "").strip()
        if design == Design.CHANGING_CRITERION:
            if not text:
                self.add_error("criteria", _("Give the criterion phases, one per line."))
            else:
                data["criteria_rows"] = self._criteria(text)
        elif text:
            self.add_error("criteria", _("Criteria are for changing-criterion studies only."))
        return data

    def _criteria(self, text: str) -> list[tuple[float, int]]:
        rows: list[tuple[float, int]] = []
        for i, line in enumerate((ln for ln in text.splitlines() if ln.strip()), start=1):
            parts = [p.strip() for p in line.split(";")]
            criterion = parse_float(parts[0]) if len(parts) == 2 else None
            n = parse_int(parts[1]) if len(parts) == 2 else None
            if criterion is None or n is None or not 1 <= n <= MAX_PHASE_SESSIONS:
                self.add_error(
                    "criteria",
                    _("Line %(i)s: give the criterion and the number of sessions, like '4; 7'.")
                    % {"i": i},
                )
                return []
            if abs(criterion) > MEASURE_BOUND:
                self.add_error("criteria", _("Line %(i)s: the criterion is too large.") % {"i": i})
                return []
            rows.append((criterion, n))
        if len(rows) > MAX_CRITERION_PHASES:
            self.add_error(
                "criteria",
                _("At most %(n)s criterion phases.") % {"n": MAX_CRITERION_PHASES},
            )
            return []
        return rows

    def _process_measures(self, text: str) -> list[dict]:
        """Each line 'name; unit; lowest; highest; higher|lower'; every bad line named at once."""
        out, problems = [], []
        for i, line in enumerate((t for t in text.splitlines() if t.strip()), start=1):
            parts = [p.strip() for p in line.split(";")]
            if len(parts) != 5 or not parts[0]:
                problems.append(
                    _("Line %(i)s: write name; unit; lowest; highest; higher or lower.") % {"i": i}
                )
                continue
            name, unit, low, high, better = parts
            lo, hi = parse_float(low), parse_float(high)
            if lo is None or hi is None or not (-MEASURE_BOUND <= lo < hi <= MEASURE_BOUND):
                problems.append(
                    _("Line %(i)s: the lowest and highest values must be numbers, lowest first.")
                    % {"i": i}
                )
                continue
            if better.lower() not in ("higher", "lower"):
                problems.append(_("Line %(i)s: say 'higher' or 'lower' is better.") % {"i": i})
                continue
            if len(name) > 120 or len(unit) > 40:
                problems.append(_("Line %(i)s: the name or unit is too long.") % {"i": i})
                continue
            improvement = (
                Improvement.INCREASE if better.lower() == "higher" else Improvement.DECREASE
            )
            out.append(
                {
                    "name": name,
                    "unit": unit,
                    "range_min": lo,
                    "range_max": hi,
                    "improvement": str(improvement),
                    "description": "",
                }
            )
        if problems:
            self.add_error("process_measures", problems)
        return out

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        first = {
            "name": d["measure_name"],
            "unit": d["measure_unit"],
            "range_min": d["measure_min"],
            "range_max": d["measure_max"],
            "improvement": d["measure_improvement"],
            "description": d["measure_description"],
        }
        return {
            "episode": d["episode"],
            "clinical_question": d["clinical_question"],
            "design": d["design"],
            "planned_phase_lengths": {"A": d["baseline_length"], "B": d["intervention_length"]},
            "min_phase_length": d["min_phase_length"],
            "start_date": d["start_date"],
            **(
                {
                    "atd_sessions": d["atd_sessions"],
                    "atd_max_consecutive": d["atd_max_consecutive"],
                }
                if d["design"] == Design.ATD
                else {}
            ),
            **({"criteria": d["criteria_rows"]} if d["criteria_rows"] else {}),
            "measures": [first]
            + [{**first, "name": name, "description": ""} for name in d["tiers"]]
            + d["process"],
        }


class CriterionForm(forms.Form):
    """A new criterion for a changing-criterion phase that has not started."""

    label = forms.CharField(max_length=8, widget=forms.HiddenInput)
    criterion = forms.FloatField(
        label=_("New criterion"), min_value=-MEASURE_BOUND, max_value=MEASURE_BOUND
    )


class RandomizeForm(forms.Form):
    earliest = forms.IntegerField(
        label=_("Earliest intervention start (session)"),
        min_value=2,
        max_value=MAX_STUDY_SESSIONS,
        required=False,
    )
    latest = forms.IntegerField(
        label=_("Latest intervention start (session)"),
        min_value=2,
        max_value=MAX_STUDY_SESSIONS,
        required=False,
    )
    concealed = forms.BooleanField(
        label=_("Conceal the drawn start from data entry until it may be reached"),
        required=False,
        initial=True,
    )


OUTSIDE_PLAN_LABEL = _("Yes, record it after the planned sessions")


def _measure_field(field: forms.ModelChoiceField, study, measures) -> None:
    """The study's measures as the field's choices. ``measures``, the study's measures already
    read for the page (in their order), gives the same options without a query each time the
    select is drawn (issue #16: 4 queries on the study page); the value sent is still checked
    against the study's measures in the database."""
    field.queryset = Measure.objects.filter(study_id=study.pk)
    if measures is not None:
        field.choices = [(m.pk, field.label_from_instance(m)) for m in measures]


class ValueForm(forms.Form):
    """One value at an explicit session: keyboard first, Enter submits.

    The session is prefilled with the next expected one and shown with its phase; it is never
    derived from today's date (issue #9: a value typed in the baseline landed in phase B2). A
    session after the planned ones needs the confirmation box, shown only when it is needed.
    """

    measure = forms.ModelChoiceField(queryset=None, label=_("Measure"), empty_label=None)
    session = forms.IntegerField(label=_("Session"), min_value=1, max_value=MAX_STUDY_SESSIONS)
    value = forms.FloatField(label=_("Value"))
    confirm_outside_plan = forms.BooleanField(label=OUTSIDE_PLAN_LABEL, required=False)

    def __init__(self, *args, study, measures=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _measure_field(self.fields["measure"], study, measures)
        self.fields["value"].widget.attrs.update({"autofocus": True, "inputmode": "decimal"})
        self.study = study


class SessionValuesForm(forms.Form):
    """One session's value of every measure of the study in one form (issue #12).

    The session is explicit and prefilled with the next expected one, as in ``ValueForm``
    (issue #9). A primary outcome's value is required; a process measure may be left empty.
    Each value is checked against its measure's range in its own field, so an error names the
    field and every typed value comes back."""

    session = forms.IntegerField(label=_("Session"), min_value=1, max_value=MAX_STUDY_SESSIONS)
    confirm_outside_plan = forms.BooleanField(label=OUTSIDE_PLAN_LABEL, required=False)

    def __init__(self, *args, measures, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.measures = list(measures)
        for m in self.measures:
            label = f"{m.name} ({m.unit})" if m.unit else m.name
            field = forms.FloatField(
                label=label,
                min_value=m.range_min,
                max_value=m.range_max,
                required=m.role == MeasureRole.PRIMARY,
            )
            field.widget.attrs.update({"inputmode": "decimal", "step": "any"})
            self.fields[self.field_name(m)] = field

    @staticmethod
    def field_name(measure: Measure) -> str:
        return f"m{measure.pk}"

    def value_fields(self):
        return [self[self.field_name(m)] for m in self.measures]

    def clean(self):
        data = super().clean()
        if not self.errors and all(data.get(self.field_name(m)) is None for m in self.measures):
            raise forms.ValidationError(_("Give at least one value."))
        return data

    def values(self) -> list[tuple[Measure, float]]:
        """(measure, value) of every value given, in the study's order of measures."""
        out = []
        for m in self.measures:
            value = self.cleaned_data.get(self.field_name(m))
            if value is not None:
                out.append((m, value))
        return out


class BackfillForm(forms.Form):
    """A table pasted or typed as lines 'session value' (or 'YYYY-MM-DD value').

    Every line's problem is reported (line number, what is wrong); the table is kept as typed.
    """

    measure = forms.ModelChoiceField(queryset=None, label=_("Measure"), empty_label=None)
    table = forms.CharField(
        label=_("Values, one per line: session (or date) and value"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("e.g. '1 8' or '2025-03-01 8'; separated by a space, tab, comma or ';'"),
    )
    confirm_outside_plan = forms.BooleanField(label=OUTSIDE_PLAN_LABEL, required=False)

    def __init__(self, *args, study, measures=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _measure_field(self.fields["measure"], study, measures)
        self.line_errors: list[tuple[int, str]] = []

    def clean_table(self) -> list[tuple[int, str, float, int]]:
        """(line, "session" or "date", value, session or date ordinal) per readable line.

        Lines that cannot be read go to ``line_errors`` (line, message) instead of stopping the
        form, so the view reports them together with what the service finds in the other lines
        (a value out of range, a session already recorded): every line's problem at once."""
        rows = []
        errors: list[tuple[int, str]] = []
        for number, line in enumerate(self.cleaned_data["table"].splitlines(), start=1):
            parts = line.replace(",", " ").replace(";", " ").replace("\t", " ").split()
            if not parts:
                continue
            if len(parts) != 2:
                errors.append(
                    (number, _("Line %(n)d: give a session (or date) and a value.") % {"n": number})
                )
                continue
            when, raw = parts
            problems = []
            value = None
            value = parse_float(raw)  # refuses NaN, inf, 1e309, "²", over-long digit strings
            if value is None:
                problems.append(_("value %(v)r is not a number") % {"v": raw[:40]})
            found: tuple[str, int] | None = None
            session = parse_int(when)
            if session is not None and session >= 1:
                found = ("session", session)
            else:
                try:
                    found = ("date", date.fromisoformat(when).toordinal())
                except ValueError:
                    problems.append(
                        _("%(w)r is neither a session (1, 2, …) nor a date (YYYY-MM-DD)")
                        % {"w": when}
                    )
            if problems:
                errors.append(
                    (
                        number,
                        _("Line %(n)d: %(problems)s.")
                        % {"n": number, "problems": "; ".join(problems)},
                    )
                )
                continue
            assert found is not None
            assert value is not None
            rows.append((number, found[0], value, found[1]))
        self.line_errors = errors
        if not rows and not errors:
            raise forms.ValidationError(_("No values given."))
        return rows


class ImportForm(forms.Form):
    """A scan long-format file, or the same text pasted. After an error the file's text comes
    back in the text box (a browser never re-fills a file field), so nothing is lost."""

    file = forms.FileField(
        label=_("CSV file in the long format of scan (columns case, phase, values, mt)"),
        help_text=_("case = the measure's name; mt = the session number of each value"),
        required=False,
    )
    text = forms.CharField(
        label=_("or paste the CSV text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    confirm_outside_plan = forms.BooleanField(label=OUTSIDE_PLAN_LABEL, required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("The file is not UTF-8 text."))
        if not (data.get("text") or "").strip() and not self.errors:
            raise forms.ValidationError(_("Choose a CSV file or paste its text."))
        return data


class StrikeOutForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this value struck out?"),
        max_length=300,
        help_text=_("e.g. 'Entered under the wrong session'. The value is kept in the record."),
    )


class AmendForm(EditTokenFormMixin, forms.Form):
    EDIT_TOKEN_FIELDS = ("value",)  # the value in force: a second amendment must see the first
    value = forms.FloatField(label=_("Corrected value"))
    reason = forms.CharField(label=_("Reason for the amendment"), max_length=300)

    def __init__(self, *args, measurement=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_edit_token(measurement)


class DiaryLinkForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of link"), choices=DiaryLinkKind.choices, initial=DiaryLinkKind.RECURRING
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=90, initial=14)


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Data collection has ended: close the study (values are kept, none can be added)")
    )


class DiaryEntryForm(forms.Form):
    """Today's value of each measure still to enter, on the patient's phone."""

    def __init__(self, *args, measures, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.measures = measures
        for m in measures:
            field = forms.FloatField(
                label=m.name, min_value=m.range_min, max_value=m.range_max, required=True
            )
            field.widget.attrs.update(
                {
                    "inputmode": "decimal",
                    "class": "form-control form-control-lg",
                    "min": f"{m.range_min:g}",
                    "max": f"{m.range_max:g}",
                    "step": "any",
                }
            )
            self.fields[f"m{m.pk}"] = field

    def rows(self):
        """(measure, bound field, the integer choices when the scale is a short integer scale)."""
        out = []
        for m in self.measures:
            choices = None
            lo, hi = m.range_min, m.range_max
            if float(lo).is_integer() and float(hi).is_integer() and hi - lo <= 10:
                choices = list(range(int(lo), int(hi) + 1))
            out.append((m, self[f"m{m.pk}"], choices))
        return out

    def values(self) -> dict[int, float | None]:
        return {m.pk: self.cleaned_data.get(f"m{m.pk}") for m in self.measures}


class MeasureForm(forms.Form):
    """Add a process measure or edit a measure (the service refuses a new direction or range
    once the measure has values)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    range_min = forms.FloatField(
        label=_("Lowest value"), initial=0, min_value=-MEASURE_BOUND, max_value=MEASURE_BOUND
    )
    range_max = forms.FloatField(
        label=_("Highest value"), initial=10, min_value=-MEASURE_BOUND, max_value=MEASURE_BOUND
    )
    improvement = forms.ChoiceField(
        label=_("Direction of improvement"), choices=Improvement.choices
    )
    description = forms.CharField(label=_("Source of the measure"), max_length=300, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(
                Column("name", css_class="col-md-5"),
                Column("unit", css_class="col-md-2"),
                Column("range_min", css_class="col-md-2"),
                Column("range_max", css_class="col-md-3"),
            ),
            Row(
                Column("improvement", css_class="col-md-4"),
                Column("description", css_class="col-md-8"),
            ),
            Submit("submit", _("Save the measure")),
        )
