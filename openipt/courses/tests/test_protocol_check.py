"""The start-up check: a broken protocol file stops OpenIPT, naming the file and the field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from openipt.protocols import loader

STANDARD = (loader.DATA_DIR / "ipt-standard.toml").read_text(encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty protocol directory in place of the shipped one; the cache is cleared either side."""
    loader.get_protocols.cache_clear()
    monkeypatch.setattr(loader, "DATA_DIR", tmp_path)
    yield tmp_path
    monkeypatch.undo()
    loader.get_protocols.cache_clear()
    assert "ipt-standard" in loader.get_protocols()  # the shipped protocols are back


def ready() -> None:
    apps.get_app_config("courses").ready()


def test_it_passes_the_shipped_protocols() -> None:
    ready()


def test_it_passes_a_valid_directory(data_dir: Path) -> None:
    (data_dir / "ipt-standard.toml").write_text(STANDARD, encoding="utf-8")
    ready()
    assert list(loader.get_protocols()) == ["ipt-standard"]


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        (
            "ipt-standard.toml",
            STANDARD.replace("session_minutes = 50", 'session_minutes = "fifty"'),
            "ipt-standard.toml: session_minutes: must be an integer ≥ 1, not 'fifty'",
        ),
        (
            "ipt-standard.toml",
            STANDARD.replace("first_session = 4", "first_session = 5"),
            "ipt-standard.toml: phases[1].first_session: must be 4",
        ),
        (
            "ipt-standard.toml",
            STANDARD.replace("cadence = ", "cadance = "),
            "ipt-standard.toml: cadance: unknown field (did you mean 'cadence'?)",
        ),
        (
            "ipt-other.toml",
            STANDARD,
            "ipt-other.toml: key: must match the file name ('ipt-other'), not 'ipt-standard'",
        ),
        ("ipt-broken.toml", 'key = "ipt-broken"\nname = ', "ipt-broken.toml: invalid TOML"),
    ],
)
def test_it_refuses_a_broken_file_naming_the_file_and_field(
    data_dir: Path, file: str, text: str, message: str
) -> None:
    (data_dir / file).write_text(text, encoding="utf-8")
    with pytest.raises(ImproperlyConfigured) as caught:
        ready()
    assert str(caught.value).startswith("Protocol files are invalid: ")
    assert message in str(caught.value)


def test_it_refuses_an_instrument_the_measures_app_does_not_know(data_dir: Path) -> None:
    text = STANDARD.replace('instrument = "gad7"', 'instrument = "gad8"')
    (data_dir / "ipt-standard.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ImproperlyConfigured) as caught:
        ready()
    assert str(caught.value).startswith("ipt-standard.toml: measures: unknown instrument ['gad8']")
    assert "known instruments are" in str(caught.value)
