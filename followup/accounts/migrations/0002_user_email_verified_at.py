"""When the login email was verified; accounts made before verification existed count as verified."""

from django.db import migrations, models
from django.db.models import F


def grandfather_existing_accounts(apps, schema_editor):
    # They signed up before there was a link to click: asking them now would stop their queue.
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_verified_at__isnull=True).update(email_verified_at=F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(grandfather_existing_accounts, migrations.RunPython.noop),
    ]
