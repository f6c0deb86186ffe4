"""Every flare-up plan carries a "seek urgent help if…" section (issue #10).

Existing plans get the default section here: the column is added with the default text, which
PostgreSQL writes into every existing row as part of ADD COLUMN (the table refuses UPDATE and
DELETE: migration 0002), and the default is then dropped so that each new version must carry its
own section (services.flare_up_plan_save refuses an empty one). Text: treatment.models
SAFETY_NET_DEFAULT as of this migration (sources there)."""

from django.db import migrations, models

SAFETY_NET_DEFAULT = 'Call 999 or go to A&E if you have back pain with any of these:\n- pain, tingling, weakness or numbness in both legs, or weakness that is getting worse\n- numbness around your genitals, buttocks or anus (the area you would sit on a saddle)\n- new difficulty passing urine, or loss of control of your bladder or bowel\n- new problems with erections or other new sexual problems\n- chest pain\n- it started after a serious accident or fall, or after a minor one if you have thin bones (osteoporosis) or take steroid tablets\n\nSee your GP urgently or call NHS 111 if you have back pain with:\n- a high temperature (fever) or feeling hot and shivery\n- weight loss you cannot explain\n- a lump or swelling in your back, or a change in its shape\n- pain that does not ease when you rest, or is worse at night\n- unsteady walking, or pain like a tight band around your chest or tummy\n\nIf you take strong painkillers (such as morphine, codeine, tramadol, gabapentin or pregabalin) or medicines that make you sleepy, call 999 at once if you or someone with you notices extreme sleepiness, confusion, slow, shallow or difficult breathing, not responding, or blue lips or fingertips. Carry naloxone if you have been given it.\n\nIf you have thoughts of ending your life or harming yourself: call 999 if you are in danger now; call NHS 111 and choose the mental health option, or Samaritans on 116 123 (free, any time); and use your own safety plan if you have one.'


class Migration(migrations.Migration):
    dependencies = [
        ("treatment", "0005_t9_treatment_exposure_two_steps"),
    ]

    operations = [
        migrations.AddField(
            model_name="flareupplan",
            name="safety_net",
            field=models.TextField(default=SAFETY_NET_DEFAULT, verbose_name="seek urgent help if"),
            preserve_default=False,
        ),
    ]
