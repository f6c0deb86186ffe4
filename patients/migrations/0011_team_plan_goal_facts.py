
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0010_itemtext_preferred_language_code'),
    ]

    operations = [
        migrations.AddField(
            model_name='episode',
            name='has_goals',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name='episode',
            name='latest_plan_flags',
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
    ]
