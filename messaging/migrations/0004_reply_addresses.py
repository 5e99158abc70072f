"""Reply addresses per application, and the inbound emails of each user (matched or not)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0002_initial"),
        ("messaging", "0003_unconfirmed_status"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReplyAddress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=40, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "application",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reply_address",
                        to="interviews.application",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "reply addresses",
            },
        ),
        migrations.CreateModel(
            name="InboundEmail",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("matched", "Matched"),
                            ("unmatched", "Unmatched"),
                            ("discarded", "Discarded"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "route",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("token", "its reply address"),
                            ("thread", "our email it answers"),
                            ("contact", "the sender, one of your contacts"),
                            ("company", "the sender's company"),
                            ("by_hand", "assigned by you"),
                        ],
                        max_length=20,
                    ),
                ),
                ("kind", models.CharField(blank=True, max_length=20)),
                ("sender", models.CharField(max_length=300)),
                ("sender_name", models.CharField(blank=True, max_length=200)),
                ("subject", models.CharField(blank=True, max_length=500)),
                ("snippet", models.CharField(blank=True, max_length=500)),
                ("received_at", models.DateTimeField()),
                ("return_date", models.DateField(blank=True, null=True)),
                (
                    "forward_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not forwarded (already in your mailbox)"),
                            ("pending", "To be forwarded"),
                            ("sending", "Being forwarded"),
                            ("sent", "Forwarded to you"),
                            ("failed", "Could not be forwarded"),
                            ("skipped", "Not forwarded again (same absence)"),
                        ],
                        default="",
                        max_length=20,
                    ),
                ),
                ("forward_attempts", models.PositiveSmallIntegerField(default=0)),
                ("forward_started_at", models.DateTimeField(blank=True, null=True)),
                ("forwarded_at", models.DateTimeField(blank=True, null=True)),
                ("forward_error", models.CharField(blank=True, max_length=500)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "application",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="inbound_emails",
                        to="interviews.application",
                    ),
                ),
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="inbound",
                        to="messaging.emailevent",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="inbound_emails",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-received_at", "-pk"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("state", "unmatched")),
                        fields=["user", "received_at"],
                        name="messaging_inbound_unmatched",
                    ),
                    models.Index(
                        condition=models.Q(("forward_status", "pending")),
                        fields=["created_at"],
                        name="messaging_inbound_to_forward",
                    ),
                    models.Index(
                        fields=["application", "sender"], name="messaging_inbound_app_sender"
                    ),
                ],
            },
        ),
    ]
