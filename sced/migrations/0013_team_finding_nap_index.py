
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0012_team_gas_t_score'),
        ('sced', '0012_team_in_force_finding'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='study',
            index=models.Index(condition=models.Q(('finding_nap__isnull', False)), fields=['finding_nap', 'finding_nap_ci_lower', 'finding_nap_ci_upper', 'episode'], name='sced_study_finding_nap'),
        ),
    ]
