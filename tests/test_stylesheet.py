"""What the stylesheet promises about layout: checked on its text, as the browser leg needs CI."""

from __future__ import annotations

import re
from pathlib import Path

import openipt

CSS = re.sub(
    r"/\*.*?\*/",
    "",
    (Path(openipt.__file__).parent / "static" / "openipt" / "openipt.css").read_text(),
    flags=re.S,
)


def rules_for(selector: str, css: str = CSS) -> str:
    """All declarations of the rules whose selector list names `selector` (media blocks included)."""
    found = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if selector in [s.strip() for s in selectors.split(",")]:
            found.append(body)
    return ";".join(found)


def test_long_unbroken_words_wrap_on_staff_and_portal_pages() -> None:
    for selector in (".page", ".portal-page"):
        # break-word, not anywhere: `anywhere` changes a table's minimum widths, so its columns
        # shrink and headers break mid-word ("Ses/sio/n", found walking the caseload at 1280 px)
        assert "overflow-wrap: break-word" in rules_for(selector), selector
        assert "anywhere" not in rules_for(selector), selector
    assert "overflow-wrap: anywhere" in rules_for(".banner > *")


def test_the_staff_header_keeps_one_row_from_1280_px() -> None:
    wide = re.search(r"@media \(min-width: (\d+)rem\) \{\s*\.topbar-inner \{([^}]*)\}", CSS)
    assert wide is not None
    assert int(wide.group(1)) * 16 <= 1280
    assert "flex-wrap: nowrap" in wide.group(2)
    assert "text-overflow: ellipsis" in rules_for(".topbar .org")
