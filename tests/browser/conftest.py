"""Browser fixtures: Debian's Chromium through Playwright, and the axe-core check."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is not installed (scripts/test-browser.sh installs it)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 360, "height": 740})
    yield context.new_page()
    context.close()


def check_axe(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    # The staff header wraps on a phone rather than running off the screen (white on white).
    spill = page.evaluate(
        "() => { const t = document.querySelector('.topbar'); return t ? t.scrollWidth - t.clientWidth : 0; }"
    )
    assert spill <= 1, f"{name}: the header runs {spill} px past the screen"
    # Evaluated through the DevTools protocol rather than added as an inline <script>, which the
    # Content-Security-Policy (script-src 'self') rightly blocks.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a','wcag2aa','wcag21aa','wcag22aa']})"
    )
    violations = [(v["id"], len(v["nodes"]), v["nodes"][0]["target"]) for v in result["violations"]]
    assert violations == [], f"{name}: {violations}"


# Resolves with the page's cumulative layout shift so far (0 when nothing has shifted).
LAYOUT_SHIFT_JS = """
() => new Promise((resolve) => {
  let total = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) { if (!entry.hadRecentInput) total += entry.value; }
  });
  observer.observe({type: 'layout-shift', buffered: true});
  setTimeout(() => { observer.disconnect(); resolve(total); }, 200);
})
"""


def check_phone(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The page on a 320 px wide screen (set before the page loads, with `page.set_viewport_size`):
    nothing wider than the screen, no layout shift, zero axe-core violations."""
    assert page.viewport_size["width"] == 320, "set a 320 px viewport before opening the page"
    overflow = page.evaluate(
        "() => Array.from(document.querySelectorAll('body *'))"
        ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
        ".map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')).slice(0, 5)"
    )
    assert overflow == [], f"{name}: wider than a 320 px screen: {overflow}"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"{name}: the page scrolls sideways at 320 px ({width} px wide)"
    shift = page.evaluate(LAYOUT_SHIFT_JS)
    assert shift < 0.01, f"{name}: layout shift {shift:.3f}"
    check_axe(page, name)
