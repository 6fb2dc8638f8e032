# API key usage per day.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("apikeys", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiKeyUsage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(help_text="The day (UTC).")),
                (
                    "requests",
                    models.PositiveIntegerField(default=0, help_text="Requests the key was accepted for."),
                ),
                ("tickets_created", models.PositiveIntegerField(default=0, help_text="Tickets it opened.")),
                (
                    "key",
                    models.ForeignKey(
                        help_text="The key that was used.",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="usage",
                        to="apikeys.apikey",
                    ),
                ),
            ],
            options={
                "verbose_name": "API key usage",
                "verbose_name_plural": "API key usage",
                "ordering": ["-day", "key_id"],
                "constraints": [
                    models.UniqueConstraint(fields=("key", "day"), name="api_key_usage_one_per_day")
                ],
            },
        ),
    ]
