"""Forms of the education app. Field names carry database ids only (never internal keys) and the
page re-displays everything typed when something is wrong."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from education.models import BehaviourChangeTechnique, Topic, Understanding

CHECK_CHOICES = [("", _("— teach-back check —")), *Understanding.choices]
TICK_TOPIC = gettext_noop("Tick “{topic}” if it was covered, or clear its check and notes.")
NEEDS_CHECK = gettext_noop("Say how much of “{topic}” the patient could explain back.")


class ContactEducationForm(forms.Form):
    """One row per curriculum topic (covered? teach-back check, misconceptions heard) and the
    behaviour-change techniques used: the pain-relevant ones first, then the rest of BCTTv1."""

    def __init__(
        self,
        *args,
        topics: list[Topic],
        techniques: list[BehaviourChangeTechnique],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.topics = topics
        for topic in topics:
            self.fields[f"topic_{topic.pk}"] = forms.BooleanField(label=topic.title, required=False)
            self.fields[f"check_{topic.pk}"] = forms.ChoiceField(
                label=_("Teach-back check"), choices=CHECK_CHOICES, required=False
            )
            self.fields[f"misc_{topic.pk}"] = forms.CharField(
                label=_("Misconceptions heard"), max_length=500, required=False
            )
        first = sorted((t for t in techniques if t.pain_relevant), key=lambda t: t.pain_rank or 0)
        rest = [t for t in techniques if not t.pain_relevant]
        self.fields["techniques"] = forms.TypedMultipleChoiceField(
            label=_("Techniques often used in pain management"),
            choices=[(t.pk, str(t)) for t in first],
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        )
        self.fields["more_techniques"] = forms.TypedMultipleChoiceField(
            label=_("Other techniques"),
            choices=[(t.pk, str(t)) for t in rest],
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        )

    def topic_rows(self):
        """(topic, tick field, check field, misconceptions field) per topic, for the template."""
        return [
            (t, self[f"topic_{t.pk}"], self[f"check_{t.pk}"], self[f"misc_{t.pk}"])
            for t in self.topics
        ]

    def clean(self):
        data = super().clean()
        for topic in self.topics:
            ticked = data.get(f"topic_{topic.pk}")
            check = data.get(f"check_{topic.pk}")
            notes = (data.get(f"misc_{topic.pk}") or "").strip()
            if ticked and not check:
                self.add_error(f"check_{topic.pk}", gettext(NEEDS_CHECK).format(topic=topic.title))
            elif not ticked and (check or notes):
                self.add_error(f"topic_{topic.pk}", gettext(TICK_TOPIC).format(topic=topic.title))
        return data

    def covered(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            t.pk: (data[f"check_{t.pk}"], data.get(f"misc_{t.pk}") or "")
            for t in self.topics
            if data.get(f"topic_{t.pk}")
        }

    def technique_ids(self) -> list[int]:
        return [*self.cleaned_data["techniques"], *self.cleaned_data["more_techniques"]]


class TopicForm(forms.Form):
    title = forms.CharField(label=_("New topic"), max_length=120)
    summary = forms.CharField(label=_("What it covers"), max_length=300, required=False)


class TopicChangeForm(forms.Form):
    ACTIONS = [("up", "up"), ("down", "down"), ("retire", "retire"), ("restore", "restore")]
    topic = forms.ModelChoiceField(queryset=Topic.objects.all())
    action = forms.ChoiceField(choices=ACTIONS)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        end = data.get("end") or date.today()
        start = data.get("start") or end - timedelta(days=90)
        if start > end:
            raise forms.ValidationError(_("The start of the period is after its end."))
        data["start"], data["end"] = start, end
        return data
