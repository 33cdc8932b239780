"""The focus ring is visible wherever it is drawn: at least 3:1 against the surface around it
(WCAG 2.2, 1.4.11 non-text contrast). Colours are read from the stylesheet's design tokens."""

from __future__ import annotations

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[1] / "openipt" / "static" / "openipt" / "openipt.css"
# The light surfaces a focused control can sit on: pages, cards, alert and band backgrounds.
LIGHT_SURFACES = (
    "paper",
    "wash",
    "risk-wash",
    "ok-wash",
    "warn-wash",
    "band-minimal",
    "band-mild",
    "band-moderate",
    "band-moderately-severe",
    "band-severe",
)


def tokens() -> dict[str, str]:
    return dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text(encoding="utf-8")))


def luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    low, high = sorted((luminance(a), luminance(b)))
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#f0a500", "#ffffff"), 1) == 2.1  # the old ring on white


def test_the_focus_ring_stands_out_on_every_light_surface() -> None:
    t = tokens()
    weak = {s: round(contrast(t["focus"], t[s]), 2) for s in LIGHT_SURFACES if contrast(t["focus"], t[s]) < 3}
    assert not weak, f"the focus ring is under 3:1 on {weak}"


def test_the_focus_ring_on_the_brand_bars_stands_out_there() -> None:
    t = tokens()
    assert contrast(t["focus-on-brand"], t["brand"]) >= 3
    css = CSS.read_text(encoding="utf-8")
    rule = ".topbar :focus-visible, .portal-bar :focus-visible { outline-color: var(--focus-on-brand); }"
    assert rule in css
