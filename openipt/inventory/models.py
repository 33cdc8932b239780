"""The interpersonal inventory (the important people in the client's life) and the life-event
timeline. Both belong to the client, not to one course, so they carry over to later courses."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from openipt.clients.models import Client


class Relationship(models.TextChoices):
    PARTNER = "partner", _("Partner or spouse")
    EX_PARTNER = "ex_partner", _("Former partner")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Brother or sister")
    OTHER_FAMILY = "other_family", _("Other family")
    FRIEND = "friend", _("Friend")
    COLLEAGUE = "colleague", _("Colleague")
    MANAGER = "manager", _("Manager or teacher")
    NEIGHBOUR = "neighbour", _("Neighbour")
    CARER = "carer", _("Carer or care worker")
    OTHER = "other", _("Other")


class Ring(models.TextChoices):
    INNER = "inner", _("Inner ring (closest)")
    MIDDLE = "middle", _("Middle ring")
    OUTER = "outer", _("Outer ring")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")
    RARELY = "rarely", _("Rarely")
    NONE = "none", _("No contact")


class Met(models.TextChoices):
    YES = "yes", _("Met")
    PARTLY = "partly", _("Partly met")
    NO = "no", _("Not met")
    UNKNOWN = "unknown", _("Not explored yet")


class Conflict(models.TextChoices):
    NONE = "none", _("None")
    SOME = "some", _("Some")
    SERIOUS = "serious", _("Serious")


class CurrentPeopleManager(models.Manager["Person"]):
    """The people of the inventory now: a retired record (added by mistake, or merged into
    another) is left out of every list, picture, choice and suggestion, through `client.people`
    as much as `Person.objects`. It stays in the database and its history (`Person.everyone`)."""

    def get_queryset(self) -> models.QuerySet[Person]:
        return super().get_queryset().filter(retired_at__isnull=True)


class Person(models.Model):
    """One important person in the client's life, as the client describes them.

    Never deleted: a record added by mistake is retired with a reason, and a duplicate is merged
    into the record kept (`merged_into`), its links moved there (`inventory.actions`).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="people")
    name = models.CharField(_("name or alias"), max_length=80)
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    ring = models.CharField(
        _("how close they feel"), max_length=10, choices=Ring.choices, default=Ring.MIDDLE
    )
    deceased = models.BooleanField(_("has died"), default=False)
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    contact = models.CharField(_("contact"), max_length=10, choices=Frequency.choices, blank=True)
    satisfying = models.TextField(_("what is satisfying"), blank=True)
    unsatisfying = models.TextField(_("what is unsatisfying"), blank=True)
    expectations = models.TextField(_("mutual expectations"), blank=True)
    expectations_met = models.CharField(
        _("are the expectations met?"), max_length=10, choices=Met.choices, default=Met.UNKNOWN
    )
    support_given = models.TextField(_("support the client gives"), blank=True)
    support_received = models.TextField(_("support the client receives"), blank=True)
    conflict = models.CharField(_("conflict"), max_length=10, choices=Conflict.choices, default=Conflict.NONE)
    changed_around_onset = models.BooleanField(_("changed around the onset of the depression"), default=False)
    change_description = models.TextField(_("what changed"), blank=True)
    linked_to_depression = models.BooleanField(
        _("the client links this relationship to the depression"), default=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retired_reason = models.CharField(_("why it was retired"), max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )

    everyone = models.Manager()  # retired records too: history, the export, merging
    objects = CurrentPeopleManager()

    history = HistoricalRecords()

    class Meta:
        default_manager_name = "objects"  # the current people, also through `client.people`
        base_manager_name = "everyone"  # a link to a retired person (an old worksheet) still reads
        ordering = ["ring", "name", "id"]
        indexes = [models.Index(fields=["client", "ring"], name="person_client_ring")]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    DEATH = "death", _("Death")
    SEPARATION = "separation", _("Separation")
    DIVORCE = "divorce", _("Divorce")
    MOVE = "move", _("Move")
    JOB_CHANGE = "job_change", _("Job change")
    JOB_LOSS = "job_loss", _("Job loss")
    RETIREMENT = "retirement", _("Retirement")
    BIRTH = "birth", _("Birth")
    ILLNESS = "illness", _("Illness")
    DISPUTE_START = "dispute_start", _("A dispute started")
    MIGRATION = "migration", _("Migration")
    RELATIONSHIP_START = "relationship_start", _("A relationship began")
    RELATIONSHIP_END = "relationship_end", _("A relationship ended")
    SCHOOL_CHANGE = "school_change", _("School change")
    OTHER = "other", _("Other")


class LifeEvent(models.Model):
    """An event on the client's timeline, linked to people where relevant."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="life_events")
    kind = models.CharField(_("what happened"), max_length=24, choices=EventKind.choices)
    on = models.DateField(_("when"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    people = models.ManyToManyField(
        Person, related_name="events", blank=True, verbose_name=_("people involved")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # The event's own fields are versioned; which people it links is not (an m2m history would add
    # a version per add/remove, and its rows cost a query each to read). The audit log records
    # every change of the event.
    history = HistoricalRecords()

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["client", "on"], name="event_client_on")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.on})"
