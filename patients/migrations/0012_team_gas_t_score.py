
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0011_team_plan_goal_facts'),
    ]

    operations = [
        migrations.AddField(
            model_name='episode',
            name='gas_t_score',
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
    ]
