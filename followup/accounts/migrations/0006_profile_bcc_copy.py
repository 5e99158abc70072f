"""The profile switch for a BCC copy of every email Followup sends for the user."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_mailbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="bcc_copy",
            field=models.BooleanField(
                default=True,
                help_text="A copy (BCC) of each email Followup sends for you goes to your own address.",
                verbose_name="Send me a copy of every email",
            ),
        ),
    ]
