"""The patient's preferred language becomes a code of settings.LANGUAGES (issue #14).

Until now it was free text (default "English"). Mapping: "English" -> en-gb; "Dutch",
"Nederlands", "nl" -> nl (case and spaces ignored). Anything else becomes en-gb and the text
typed is kept in the new ``language_note`` so nothing is lost. Reversible: the note (or the
language's name) goes back into the free-text field.
"""

from django.db import migrations, models

TO_CODE = {
    "english": "en-gb",
    "en": "en-gb",
    "en-gb": "en-gb",
    "dutch": "nl",
    "nederlands": "nl",
    "nl": "nl",
}
TO_WORDS = {"en-gb": "English", "nl": "Dutch"}


def language_code(typed: str) -> tuple[str, str]:
    """(code, note) for the free text typed before: the note keeps what the code cannot say."""
    typed = (typed or "").strip()
    code = TO_CODE.get(typed.casefold())
    return (code, "") if code else ("en-gb", typed)


def to_codes(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    for patient in Patient.objects.only("pk", "preferred_language").iterator():
        code, note = language_code(patient.preferred_language)
        Patient.objects.filter(pk=patient.pk).update(preferred_language=code, language_note=note)


def to_words(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    for patient in Patient.objects.only("pk", "preferred_language", "language_note").iterator():
        words = patient.language_note or TO_WORDS.get(patient.preferred_language, "English")
        Patient.objects.filter(pk=patient.pk).update(preferred_language=words)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0009_episode_last_signed"),
    ]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="language_note",
            field=models.CharField(
                blank=True,
                help_text="E.g. the language spoken at home, when it is not in the list above.",
                max_length=60,
                verbose_name="language, in words",
            ),
        ),
        migrations.RunPython(to_codes, to_words),
        migrations.AlterField(
            model_name="patient",
            name="preferred_language",
            field=models.CharField(
                choices=[("en-gb", "English"), ("nl", "Nederlands")],
                default="en-gb",
                help_text="The language of the questionnaires and links the patient receives.",
                max_length=8,
                verbose_name="preferred language",
            ),
        ),
    ]
