"""Companies, applications, interviews, contacts and each application's timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from followup.accounts.validators import validate_time_zone
from followup.rules import greetings, side_tasks, stages


class OwnedQuerySet(models.QuerySet):
    def owned_by(self, user: settings.AUTH_USER_MODEL) -> OwnedQuerySet:  # type: ignore[valid-type]
        return self.filter(user=user)


class Company(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="companies"
    )
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "user", Lower("name"), name="interviews_company_unique_name_per_user"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("interviews:company", args=[self.pk])


class Contact(models.Model):
    class Tone(models.TextChoices):
        FORMAL = "formal", "Formal (Dear Ms. Richardson)"
        FIRST_NAME = "first_name", "First name (Hi Dana)"

    class Kind(models.TextChoices):
        INTERVIEWER = "interviewer", "Interviewer"
        RECRUITER = "recruiter", "Recruiter"
        COORDINATOR = "coordinator", "Coordinator / assistant"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contacts"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    honorific = models.CharField(
        max_length=20, blank=True, help_text="Ms., Mr., Mx., Dr. — used in a formal greeting."
    )
    title = models.CharField("job title", max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    linkedin_url = models.URLField("LinkedIn URL", blank=True)
    tone = models.CharField(max_length=20, choices=Tone.choices, default=Tone.FORMAL)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INTERVIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["user", "company"], name="interviews_contact_user_co")]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})" if self.company_id else self.name

    def get_absolute_url(self) -> str:
        return reverse("interviews:contact", args=[self.pk])

    @property
    def first_name(self) -> str:
        # "Dr. Dana Lee" -> "Dana": the rules module knows titles, suffixes and particles.
        return greetings.name_parts(self.name).first

    @property
    def last_name(self) -> str:
        return greetings.name_parts(self.name).last

    @property
    def greeting_name(self) -> str:
        """How the email names them: "Ms. Richardson", "Dana", or the full name."""
        return greetings.addressed_name(name=self.name, honorific=self.honorific, tone=self.tone)


class Application(models.Model):
    Stage = models.TextChoices("Stage", stages.choices(stages.APPLICATION_STAGES))

    # Stages after which no automatic follow-up is planned (rules.stages holds the sets).
    ENDED_STAGES = stages.ENDED_STAGES

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="applications")
    role = models.CharField(max_length=200)
    job_url = models.URLField("job posting URL", blank=True, max_length=500)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.INTERVIEWING)
    paused = models.BooleanField(default=False)
    paused_until = models.DateTimeField(
        null=True, blank=True, help_text="Set by an out-of-office reply: resume after this time."
    )
    main_contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The recruiter or coordinator: who check-ins go to.",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_activity_at = models.DateTimeField(auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-last_activity_at"]
        indexes = [
            # The dashboard lists a user's applications, most recently active first.
            models.Index(fields=["user", "-last_activity_at"], name="interviews_app_user_activity"),
        ]

    def __str__(self) -> str:
        return f"{self.role} at {self.company}"

    def get_absolute_url(self) -> str:
        return reverse("interviews:application", args=[self.pk])

    @property
    def has_ended(self) -> bool:
        return self.stage in self.ENDED_STAGES


class Interview(models.Model):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video call"
        PHONE = "phone", "Phone"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interviews"
    )
    round_number = models.PositiveSmallIntegerField("round", default=1)
    round_name = models.CharField(
        max_length=100, blank=True, help_text="e.g. Phone screen, Technical, Final."
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.VIDEO)
    location = models.CharField("location or link", max_length=500, blank=True)
    decision_date = models.DateField(
        null=True, blank=True, help_text="When they said you would hear back."
    )
    decision_words = models.CharField(
        "what they said",
        max_length=300,
        blank=True,
        help_text="Their words, e.g. “by the end of next week”.",
    )
    another_round_expected = models.BooleanField(default=False)
    next_step = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    scheduling_subject = models.CharField(
        "scheduling email subject",
        max_length=300,
        blank=True,
        help_text="So the thank-you can reply in the same thread.",
    )
    scheduling_message_id = models.CharField(
        "scheduling email Message-ID", max_length=300, blank=True
    )
    contacts = models.ManyToManyField(
        Contact, through="InterviewParticipant", related_name="interviews"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="interviews_interview_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["application", "-starts_at"], name="interviews_iv_app_start")
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.application}"

    @property
    def label(self) -> str:
        """The round for people to read, e.g. "Round 2 · Technical"."""
        base = f"Round {self.round_number}"
        return f"{base} · {self.round_name}" if self.round_name else base


class InterviewParticipant(models.Model):
    """One interviewer in one interview, with what to mention in the thank-you."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="participants")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="participations")
    discussed = models.TextField(
        "what you discussed",
        blank=True,
        help_text="A project, problem or remark from your conversation with this person.",
    )
    questions = models.TextField("questions or concerns they raised", blank=True)
    promised = models.CharField(
        "what you promised to send", max_length=300, blank=True, help_text="e.g. a work sample."
    )
    added_point = models.CharField(
        "a point to add", max_length=300, blank=True, help_text="Something you wish you had said."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "contact"], name="interviews_participant_once_per_interview"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact.name} in {self.interview}"


class TimelineEvent(models.Model):
    """Something that happened to an application, shown newest first."""

    class Kind(models.TextChoices):
        APPLICATION_CREATED = "application_created", "Application created"
        INTERVIEW_LOGGED = "interview_logged", "Interview logged"
        INTERVIEW_UPDATED = "interview_updated", "Interview updated"
        INTERVIEW_DELETED = "interview_deleted", "Interview deleted"
        STAGE_CHANGED = "stage_changed", "Stage changed"
        PAUSED = "paused", "Paused"
        RESUMED = "resumed", "Resumed"
        DRAFTED = "drafted", "Draft created"
        EDITED = "edited", "Draft edited"
        APPROVED = "approved", "Approved"
        UNAPPROVED = "unapproved", "Approval withdrawn"
        SKIPPED = "skipped", "Skipped"
        CANCELLED = "cancelled", "Cancelled"
        HELD = "held", "Held"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        OPENED = "opened", "Opened"
        BOUNCED = "bounced", "Bounced"
        FAILED = "failed", "Sending failed"
        REPLY = "reply", "Reply received"
        OUT_OF_OFFICE = "out_of_office", "Out-of-office reply"
        TASK = "task", "Suggested task"
        NOTE = "note", "Note"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timeline_events"
    )
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    interview = models.ForeignKey(
        Interview, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        "messaging.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    happened_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_at", "-pk"]
        indexes = [
            # The application page reads its timeline newest first.
            models.Index(fields=["application", "-happened_at"], name="interviews_tl_app_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class Task(models.Model):
    """Something to do that is not an email (spec §3), planned by Followup or added by the user.

    A planned task carries the key its rule gave it (followup.rules.side_tasks): planning the
    same event again finds the task by its key instead of adding a second one, whether the
    user has done it, skipped it or not yet.
    """

    Kind = models.TextChoices("Kind", stages.choices(side_tasks.KINDS))

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=side_tasks.OWN)
    key = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True, max_length=2000)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="interviews_task_key_once"
            ),
        ]
        indexes = [
            # The Tasks page and the dashboard: a user's open tasks by due date.
            models.Index(
                fields=["user", "due_on"],
                name="interviews_task_open_due",
                condition=models.Q(done_at__isnull=True, skipped_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.skipped_at is None
