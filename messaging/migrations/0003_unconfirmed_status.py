"""Unconfirmed sends get a status of their own instead of failed + outcome_unknown."""

from django.db import migrations, models


def failed_unknown_to_unconfirmed(apps, schema_editor):
    Message = apps.get_model("messaging", "Message")
    Message.objects.filter(status="failed", outcome_unknown=True).update(status="unconfirmed")


def unconfirmed_to_failed_unknown(apps, schema_editor):
    Message = apps.get_model("messaging", "Message")
    Message.objects.filter(status="unconfirmed").update(status="failed", outcome_unknown=True)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_email_event_owner_and_failure"),
    ]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Awaiting approval"),
                    ("approved", "Approved"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("held", "On hold"),
                    ("cancelled", "Cancelled"),
                    ("skipped", "Skipped"),
                    ("unconfirmed", "Not confirmed"),
                ],
                default="draft",
                max_length=20,
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("status", "unconfirmed")),
                fields=["send_started_at"],
                name="messaging_msg_unconfirmed",
            ),
        ),
        migrations.RunPython(failed_unknown_to_unconfirmed, unconfirmed_to_failed_unknown),
    ]
