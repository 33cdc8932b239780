"""Licence gating: restricted instruments cannot be administered until an admin enables them."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from openipt.audit.models import AuditEvent
from openipt.measures import licensing
from openipt.measures.actions import record_response
from openipt.measures.instruments import INSTRUMENTS
from openipt.measures.models import InstrumentPermission, Response
from openipt.safety.models import RiskAlert

RESTRICTED = sorted(k for k, i in INSTRUMENTS.items() if not i.licence.item_text_allowed)
FREE = sorted(k for k, i in INSTRUMENTS.items() if i.licence.item_text_allowed)


def text_file(key: str, extra: int = 0) -> bytes:
    n = len(INSTRUMENTS[key].items) + extra
    return (
        "# supplied by the clinic\n" + "\n".join(f"Licensed wording {i}" for i in range(1, n + 1))
    ).encode()


def epds_answers(item10: int) -> list[int]:
    return [0] * 9 + [item10]


def test_the_library_has_restricted_and_free_instruments() -> None:
    assert {"phq9", "gad7", "phq2", "hamd17"} <= set(FREE)
    assert {"epds", "cssrs_screen", "wsas", "wai_sr", "qids_sr16"} <= set(RESTRICTED)


@pytest.mark.parametrize("key", RESTRICTED)
def test_it_ships_no_item_text_for_restricted_instruments(key: str) -> None:
    instrument = INSTRUMENTS[key]
    assert licensing.needs_permission(instrument)
    assert all("Licensed wording" not in item.text for item in instrument.items)


def test_a_restricted_instrument_cannot_be_recorded_until_enabled(alice, client_a) -> None:
    with pytest.raises(ValidationError, match="has not been enabled for this clinic"):
        record_response(alice, client_a, instrument="epds", answers=epds_answers(2))
    assert not Response.objects.exists()
    assert not RiskAlert.objects.exists()


def test_enabling_makes_it_available_with_the_clinics_wording(alice, erin, client_a) -> None:
    licensing.enable_instrument(
        erin, "epds", content=text_file("epds"), permission_note="RCPsych letter 2026-11"
    )
    available = {i.key: i for i in licensing.available_instruments(client_a.organisation_id)}
    assert available["epds"].items[0].text == "Licensed wording 1"
    response = record_response(alice, client_a, instrument="epds", answers=epds_answers(2))
    assert response.score.total > 0
    assert RiskAlert.objects.filter(response=response, flag="self_harm_thoughts").exists()
    assert AuditEvent.objects.filter(action="instrument.enable", actor=erin).exists()


def test_permission_is_per_organisation(erin, charlie, client_a) -> None:
    licensing.enable_instrument(erin, "epds", content=text_file("epds"), permission_note="RCPsych letter")
    assert "epds" not in {i.key for i in licensing.available_instruments(charlie.organisation_id)}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"only one line", "but the file has 1 text lines"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"x" * (70 * 1024), "larger than 64 KB"),
    ],
)
def test_a_bad_text_file_is_refused_and_nothing_changes(erin, content: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        licensing.enable_instrument(erin, "epds", content=content, permission_note="RCPsych letter")
    assert not InstrumentPermission.objects.exists()


def test_a_free_instrument_needs_no_enabling(erin) -> None:
    with pytest.raises(ValidationError, match="needs no permission"):
        licensing.enable_instrument(erin, "phq9", content=text_file("phq9"), permission_note="n/a n/a")


def test_disabling_stops_new_administrations_and_keeps_old_ones(alice, erin, client_a) -> None:
    licensing.enable_instrument(erin, "epds", content=text_file("epds"), permission_note="RCPsych letter")
    record_response(alice, client_a, instrument="epds", answers=epds_answers(0))
    licensing.disable_instrument(erin, "epds")
    with pytest.raises(ValidationError, match="has not been enabled"):
        record_response(alice, client_a, instrument="epds", answers=epds_answers(0))
    assert Response.objects.filter(instrument="epds").count() == 1


def test_the_admin_page_lists_status_and_enables_with_an_upload(client, erin) -> None:
    client.force_login(erin)
    page = client.get(reverse("measures:admin-instruments")).content.decode()
    assert "Needs permission" in page and "Available" in page
    url = reverse("measures:admin-enable", args=["epds"])
    upload = SimpleUploadedFile("epds.txt", text_file("epds"), content_type="text/plain")
    response = client.post(url, {"text_file": upload, "permission_note": "RCPsych letter", "confirm": "on"})
    assert response.status_code == 302
    assert InstrumentPermission.objects.get(instrument="epds").enabled is True


def test_the_admin_page_refuses_a_wrong_file_beside_the_field(client, erin) -> None:
    client.force_login(erin)
    url = reverse("measures:admin-enable", args=["epds"])
    upload = SimpleUploadedFile("epds.txt", text_file("epds", extra=2), content_type="text/plain")
    response = client.post(url, {"text_file": upload, "permission_note": "RCPsych letter", "confirm": "on"})
    assert response.status_code == 400
    assert "put one item per line" in response.context["form"].errors["text_file"][0]
    assert not InstrumentPermission.objects.exists()


def test_the_admin_page_requires_confirmation(client, erin) -> None:
    client.force_login(erin)
    upload = SimpleUploadedFile("epds.txt", text_file("epds"), content_type="text/plain")
    response = client.post(
        reverse("measures:admin-enable", args=["epds"]), {"text_file": upload, "permission_note": "x" * 10}
    )
    assert response.status_code == 400
    assert not InstrumentPermission.objects.exists()


def test_clinicians_cannot_reach_the_admin_pages(client, alice) -> None:
    client.force_login(alice)
    assert client.get(reverse("measures:admin-instruments")).status_code == 403
    assert client.post(reverse("measures:admin-disable", args=["epds"])).status_code == 403


def test_the_command_lists_and_enables(erin, tmp_path: Path) -> None:
    out = StringIO()
    call_command("instruments", "list", "--user", "erin", stdout=out)
    assert "needs permission" in out.getvalue()
    path = tmp_path / "epds.txt"
    path.write_bytes(text_file("epds"))
    with pytest.raises(CommandError, match="--confirm"):
        call_command(
            "instruments",
            "enable",
            "epds",
            "--user",
            "erin",
            "--text-file",
            str(path),
            "--permission",
            "letter 1",
        )
    call_command(
        "instruments",
        "enable",
        "epds",
        "--user",
        "erin",
        "--text-file",
        str(path),
        "--permission",
        "letter 1",
        "--confirm",
        stdout=out,
    )
    assert InstrumentPermission.objects.get(instrument="epds").source_file_name == "epds.txt"
    with pytest.raises(CommandError, match="not an active administrator"):
        call_command("instruments", "list", "--user", "nobody")
