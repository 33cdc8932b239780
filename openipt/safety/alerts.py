"""Reading a client's risk alerts once they are closed: the record of what was done about each."""

from __future__ import annotations

from openipt.clients.models import Client

from .models import AlertStatus, RiskAlert


def acknowledged_alerts(client: Client) -> list[RiskAlert]:
    """The client's acknowledged alerts, newest first, with who acknowledged them (1 query).

    An acknowledged alert is final (see `RiskAlert`); it leaves the banner but stays in the record.
    """
    return list(
        RiskAlert.objects.filter(client=client, status=AlertStatus.ACKNOWLEDGED)
        .select_related("response", "acknowledged_by")  # the instrument's name and who acted
        .order_by("-raised_at", "-id")
    )
