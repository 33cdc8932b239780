"""Score charts drawn as SVG on the server: a sparkline per client and a trend chart per instrument.

Pure: standard library only, no clock, no I/O. Every string that reaches the output is escaped,
because series names and labels may come from users. No `style` attributes are written, so the
markup passes a strict Content-Security-Policy; presentation attributes (`fill`, `stroke`) are.

The trend chart's x axis is linear in `Point.position`, in one unit per chart chosen by the
caller: the session number when labels read "S3", days since the course started when labels are
dates such as "3 Mar". Gaps between positions are drawn to scale, so a missed month shows.

Colours come from the stylesheet through class names. The presentation attributes here are
greys and dark lines that keep a chart readable, in colour or in print, where no stylesheet
applies. Meaning never rests on colour alone: bands carry their names as text, series differ by
marker shape and dash pattern as well, and the legend names each series.

    svg.chart                         the trend chart; width 100%, scales through its viewBox
    .chart-band.<tone>                a severity band, tone such as band-minimal … band-severe
    .chart-band-label                 the band's name, at the right edge
    .chart-grid / .chart-axis         lines at band boundaries / the x axis
    .chart-tick                       tick labels on both axes
    .chart-line.chart-line-N          series N's line (N from 1)
    .chart-marker.chart-marker-N      series N's point markers
    .chart-legend                     the legend
    .chart-empty, .chart-empty-frame  "No scores yet" and a dashed outline
    svg.sparkline                     .sparkline-line, .sparkline-point, .sparkline-last,
                                      .sparkline-empty; drawn in currentColor
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from openipt.lib.i18n import gettext_noop

SVG_NS = "http://www.w3.org/2000/svg"

NO_SCORES = gettext_noop("No scores yet")
ONE_SCORE = gettext_noop("{name}: one score, {value}{band} at {when}.")
SUMMARY = gettext_noop(
    "{name}: first score {first}{first_band} at {first_when}; "
    "latest {latest}{latest_band} at {latest_when}; {change}."
)
WENT_DOWN = gettext_noop("down {points} since the first")
WENT_UP = gettext_noop("up {points} since the first")
NO_CHANGE = gettext_noop("no change since the first")
POINT_TITLE = gettext_noop("{name} {when}: {value}{band}")

_FONT = 13  # tick, band and legend text, in viewBox units
_LINE = _FONT + 2
_CHAR_WIDTH = 0.6  # of the font size: a generous average for sans-serif glyphs
_MARKERS = ("circle", "square", "triangle", "diamond")
_DASHES = ("", "6 4", "2 3", "9 3 2 3")
_STROKES = ("#1a1a1a", "#404040", "#1a1a1a", "#404040")
_BAND_FILLS = ("#f6f6f6", "#ececec", "#e2e2e2", "#d8d8d8", "#cecece")
_TONE = re.compile(r"[a-z][a-z0-9-]*")
_CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

Attrs = dict[str, str | float]


@dataclass(frozen=True)
class Point:
    """One score. `position` places it on the x axis (see the module docstring for its unit);
    `long_label` names it in titles and descriptions ("session 3") and defaults to `x_label`."""

    x_label: str
    value: int
    position: float
    long_label: str = ""

    @property
    def spoken_label(self) -> str:
        return self.long_label or self.x_label


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point]


@dataclass(frozen=True)
class BandShade:
    """A severity band over the inclusive scores `low`..`high`; `tone` is its CSS class."""

    low: int
    high: int
    label: str
    tone: str


def _no_translation(message: str) -> str:
    return message


# --- markup helpers --------------------------------------------------------------------------


def _num(value: float) -> str:
    return f"{round(value, 1):g}"


def _el(tag: str, attrs: Attrs, children: str | None = None) -> str:
    """An element with escaped attributes; `children` is markup that is already escaped."""
    rendered = "".join(
        f" {name}={quoteattr(_num(value) if isinstance(value, int | float) else value)}"
        for name, value in attrs.items()
    )
    if children is None:
        return f"<{tag}{rendered}/>"
    return f"<{tag}{rendered}>{children}</{tag}>"


def _text(x: float, y: float, content: str, cls: str, anchor: str = "start") -> str:
    attrs: Attrs = {"x": x, "y": y, "class": cls, "font-size": _FONT}
    attrs |= {"text-anchor": anchor, "dy": "0.35em", "fill": "#1a1a1a"}
    return _el("text", attrs, escape(content))


def _text_width(content: str, size: float = _FONT) -> float:
    return len(content) * size * _CHAR_WIDTH


def _title(content: str) -> str:
    return _el("title", {}, escape(content))


# --- sparkline -------------------------------------------------------------------------------


def sparkline(
    values: Sequence[int | None],
    max_value: int,
    *,
    width: int = 96,
    height: int = 24,
    label: str,
) -> str:
    """A small trend line for a table cell, the last score marked with a dot.

    Scores are evenly spaced in the order given; None is a missed measure and breaks the line.
    With no scores it draws a dash; `label` is what a screen reader says, e.g.
    "PHQ-9 trend: 18, 15, 12, 9".
    """
    _check_max(max_value)
    pad = 3.0
    present = [i for i, value in enumerate(values) if value is not None]
    step = (width - 2 * pad) / (len(values) - 1) if len(values) > 1 else 0.0

    def at(i: int) -> tuple[float, float]:
        x = pad + i * step if len(values) > 1 else width - pad
        return x, _scale(values[i] or 0, max_value, pad, height - pad)

    if present:
        body = _sparkline_runs(_runs(values), at)
        x, y = at(present[-1])
        body += _el("circle", {"cx": x, "cy": y, "r": 2.5, "class": "sparkline-last", "fill": "currentColor"})
    else:
        line: Attrs = {"x1": width * 0.3, "y1": height / 2, "x2": width * 0.7, "y2": height / 2}
        body = _el("line", line | {"class": "sparkline-empty", "stroke": "currentColor", "stroke-width": 1.5})
    root: Attrs = {"xmlns": SVG_NS, "class": "sparkline", "width": width, "height": height}
    root |= {"viewBox": f"0 0 {width} {height}", "role": "img", "aria-label": label}
    return _el("svg", root, _title(label) + body)


def _runs(values: Sequence[int | None]) -> list[list[int]]:
    """Indices of the unbroken stretches of scores between missed ones."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, value in enumerate(values):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(i)
    if current:
        runs.append(current)
    return runs


def _sparkline_runs(runs: list[list[int]], at: Callable[[int], tuple[float, float]]) -> str:
    parts = []
    for run in runs:
        points = [at(i) for i in run]
        if len(points) == 1:
            (x, y) = points[0]
            attrs: Attrs = {"cx": x, "cy": y, "r": 1.5, "class": "sparkline-point"}
            parts.append(_el("circle", attrs | {"fill": "currentColor"}))
        else:
            line: Attrs = {"points": _points_attr(points), "class": "sparkline-line", "fill": "none"}
            parts.append(_el("polyline", line | {"stroke": "currentColor", "stroke-width": 1.5}))
    return "".join(parts)


# --- trend chart -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """The plot area inside the chart, and how scores and positions map into it."""

    left: float
    top: float
    right: float
    bottom: float
    max_value: int
    first: float
    last: float

    def x(self, position: float) -> float:
        inset = 12.0
        if self.last == self.first:
            return (self.left + self.right) / 2
        share = (position - self.first) / (self.last - self.first)
        return self.left + inset + share * (self.right - self.left - 2 * inset)

    def y(self, value: float) -> float:
        return _scale(value, self.max_value, self.top, self.bottom)


def trend_chart(
    series: Sequence[Series],
    *,
    max_value: int,
    bands: Sequence[BandShade],
    width: int = 640,
    height: int = 240,
    title: str,
    x_labels: Sequence[tuple[float, str]] | None = None,
    chart_id: str | None = None,
    gettext: Callable[[str], str] = _no_translation,
) -> str:
    """Scores over time on one instrument's scale, with its severity bands shaded and named.

    `x_labels` are (position, label) pairs for the x axis, e.g. every session of the course so
    the axis shows what is still to come; by default the points' own labels. Labels that would
    overlap are thinned, keeping the first and the last. `chart_id` prefixes the ids that
    `aria-labelledby` points to; by default it is derived from the content, so pass one when the
    same chart can appear twice on a page. `gettext` translates the chart's own words.

    Text keeps its size in viewBox units, so a 640-wide chart shrunk onto a 360 px phone has
    small print; where that matters, render a second chart with `width=360` for narrow screens.
    """
    _check_max(max_value)
    chart_id = chart_id or _default_id(title, series)
    if not _CHART_ID.fullmatch(chart_id):
        raise ValueError(f"chart_id must be a plain identifier, not {chart_id!r}")
    drawn = [Series(s.name, sorted(s.points, key=lambda p: p.position)) for s in series]
    bands = sorted(bands, key=lambda b: b.low)
    if not any(s.points for s in drawn):
        return _empty_chart(width, height, title, chart_id, gettext)
    ticks = x_labels if x_labels is not None else _point_labels(drawn)
    legend, legend_height = _legend(drawn, width)
    frame = _frame(drawn, bands, ticks, max_value, width, height, legend_height)
    body = (
        _bands(frame, bands, width)
        + _y_axis(frame, bands)
        + _x_axis(frame, ticks, width)
        + "".join(_series(frame, s, n, bands, gettext) for n, s in enumerate(drawn) if s.points)
        + legend
    )
    desc = " ".join(_summary(s, bands, gettext) for s in drawn if s.points)
    return _chart_svg(width, height, title, desc, chart_id, body)


def _check_max(max_value: int) -> None:
    if max_value <= 0:
        raise ValueError(f"max_value must be positive, not {max_value}")


def _scale(value: float, max_value: int, top: float, bottom: float) -> float:
    share = min(max(value, 0), max_value) / max_value
    return bottom - share * (bottom - top)


def _points_attr(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in points)


def _default_id(title: str, series: Sequence[Series]) -> str:
    content = repr((title, [(s.name, list(s.points)) for s in series]))
    return "chart-" + hashlib.blake2s(content.encode(), digest_size=5).hexdigest()


def _chart_svg(width: int, height: int, title: str, desc: str, chart_id: str, body: str) -> str:
    root: Attrs = {"xmlns": SVG_NS, "class": "chart", "width": "100%"}
    root |= {"viewBox": f"0 0 {width} {height}", "role": "img"}
    root |= {"aria-labelledby": f"{chart_id}-title {chart_id}-desc", "font-family": "sans-serif"}
    heading = _el("title", {"id": f"{chart_id}-title"}, escape(title))
    heading += _el("desc", {"id": f"{chart_id}-desc"}, escape(desc))
    return _el("svg", root, heading + body)


def _empty_chart(width: int, height: int, title: str, chart_id: str, gettext: Callable[[str], str]) -> str:
    message = gettext(NO_SCORES)
    box: Attrs = {"x": 1, "y": 1, "width": width - 2, "height": height - 2, "class": "chart-empty-frame"}
    body = _el("rect", box | {"fill": "none", "stroke": "#8c8c8c", "stroke-dasharray": "4 4"})
    body += _text(width / 2, height / 2, message, "chart-empty", anchor="middle")
    return _chart_svg(width, height, title, message, chart_id, body)


def _point_labels(series: Sequence[Series]) -> list[tuple[float, str]]:
    seen: dict[float, str] = {}
    for s in series:
        for point in s.points:
            seen.setdefault(point.position, point.x_label)
    return sorted(seen.items())


def _frame(
    series: Sequence[Series],
    bands: Sequence[BandShade],
    ticks: Sequence[tuple[float, str]],
    max_value: int,
    width: int,
    height: int,
    legend_height: float,
) -> _Frame:
    positions = [p.position for s in series for p in s.points] + [position for position, _ in ticks]
    widest_tick = max(_text_width(str(t)) for t in _y_ticks(bands, max_value))
    widest_band = max((_text_width(b.label) for b in bands), default=0.0)
    right = width - min(widest_band, width * 0.3) - 14 if bands else width - 8
    return _Frame(
        left=widest_tick + 14,
        top=legend_height + 14,
        right=right,
        bottom=height - _FONT - 12,
        max_value=max_value,
        first=min(positions),
        last=max(positions),
    )


def _band_value(value: int, bands: Sequence[BandShade]) -> BandShade | None:
    return next((b for b in bands if b.low <= value <= b.high), None)


def _band_suffix(value: int, bands: Sequence[BandShade]) -> str:
    band = _band_value(value, bands)
    return f" ({band.label})" if band else ""


def _bands(frame: _Frame, bands: Sequence[BandShade], width: int) -> str:
    """Each band shaded and named at the right edge, the shading running on under its name."""
    rects, centres, names = [], [], []
    for n, band in enumerate(bands):
        if not _TONE.fullmatch(band.tone):
            raise ValueError(f"band tone must be a CSS class name, not {band.tone!r}")
        # Rounded before the height is taken, so neighbouring bands meet without a hairline gap.
        top = round(frame.y(min(band.high + 1, frame.max_value)), 1)
        bottom = round(frame.y(band.low), 1)
        box: Attrs = {"x": frame.left, "y": top, "width": width - frame.left, "height": max(bottom - top, 0)}
        fill = _BAND_FILLS[min(n, len(_BAND_FILLS) - 1)]
        rects.append(_el("rect", box | {"class": f"chart-band {band.tone}", "fill": fill}))
        centres.append((top + bottom) / 2)
        names.append(_wrap(band.label, width - frame.right - 12))
    placed = _spread(centres, [len(lines) * _LINE for lines in names], frame.top, frame.bottom)
    labels = [
        _lines(frame.right + 8, y, lines, "chart-band-label") for lines, y in zip(names, placed, strict=True)
    ]
    return "".join(rects) + "".join(labels)


def _wrap(label: str, room: float) -> list[str]:
    """Break a label into lines at spaces so that each fits `room`, where the words allow."""
    lines: list[str] = []
    for word in label.split():
        if lines and _text_width(f"{lines[-1]} {word}") <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _lines(x: float, centre: float, lines: Sequence[str], cls: str) -> str:
    spans = "".join(
        _el("tspan", {"x": x, "y": centre + (k - (len(lines) - 1) / 2) * _LINE, "dy": "0.35em"}, escape(line))
        for k, line in enumerate(lines)
    )
    return _el("text", {"class": cls, "font-size": _FONT, "fill": "#1a1a1a"}, spans)


def _spread(centres: Sequence[float], sizes: Sequence[float], low: float, high: float) -> list[float]:
    """Move label centres apart until neighbouring labels of these heights no longer overlap,
    staying within low..high where there is room."""
    order = sorted(range(len(centres)), key=lambda i: centres[i])
    placed = [centres[i] for i in order]
    size = [sizes[i] for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + (size[k - 1] + size[k]) / 2)
    for k in range(len(placed) - 1, -1, -1):
        ceiling = high - size[k] / 2 if k == len(placed) - 1 else placed[k + 1] - (size[k] + size[k + 1]) / 2
        placed[k] = min(placed[k], ceiling)
    if placed:
        shift = max(low + size[0] / 2 - placed[0], 0)
        placed = [y + shift for y in placed]
    result = [0.0] * len(centres)
    for k, i in enumerate(order):
        result[i] = placed[k]
    return result


def _y_ticks(bands: Sequence[BandShade], max_value: int) -> list[int]:
    return sorted({0, max_value} | {b.low for b in bands if 0 < b.low < max_value})


def _y_axis(frame: _Frame, bands: Sequence[BandShade]) -> str:
    """Gridlines and labels at the band boundaries; a label too close to a kept one is left out."""
    parts: list[str] = []
    kept: list[float] = []
    ticks = _y_ticks(bands, frame.max_value)
    for tick in sorted(ticks, key=lambda t: t not in (0, frame.max_value)):
        y = frame.y(tick)
        line: Attrs = {"x1": frame.left, "y1": y, "x2": frame.right, "y2": y, "class": "chart-grid"}
        parts.append(_el("line", line | {"stroke": "#8c8c8c", "stroke-width": 0.75}))
        if all(abs(y - other) >= _FONT for other in kept):
            kept.append(y)
            parts.append(_text(frame.left - 6, y, str(tick), "chart-tick", anchor="end"))
    return "".join(parts)


def _x_axis(frame: _Frame, ticks: Sequence[tuple[float, str]], width: int) -> str:
    axis: Attrs = {"x1": frame.left, "y1": frame.bottom, "x2": frame.right, "y2": frame.bottom}
    parts = [_el("line", axis | {"class": "chart-axis", "stroke": "#1a1a1a", "stroke-width": 1})]
    y = frame.bottom + 6 + _FONT / 2
    for x, label in _thin([(frame.x(position), label) for position, label in sorted(ticks)], width):
        parts.append(_text(x, y, label, "chart-tick", anchor="middle"))
    return "".join(parts)


def _thin(ticks: Sequence[tuple[float, str]], width: int) -> list[tuple[float, str]]:
    """Keep labels that do not overlap, always the first and the last; centres stay on the page."""
    placed = []
    for x, label in ticks:
        half = _text_width(label) / 2
        placed.append((min(max(x, half + 2), width - half - 2), label, half))

    def clear(a: tuple[float, str, float], b: tuple[float, str, float]) -> bool:
        return abs(a[0] - b[0]) >= a[2] + b[2] + 8

    kept: list[tuple[float, str, float]] = []
    for tick in placed:
        if not kept or clear(kept[-1], tick):
            kept.append(tick)
    if placed and kept[-1] is not placed[-1]:
        while len(kept) > 1 and not clear(kept[-1], placed[-1]):
            kept.pop()
        kept.append(placed[-1])
    return [(x, label) for x, label, _ in kept]


def _series(
    frame: _Frame, series: Series, n: int, bands: Sequence[BandShade], gettext: Callable[[str], str]
) -> str:
    """One series: a line through its scores and a titled marker on each."""
    style = n % len(_MARKERS)
    coords = [(frame.x(p.position), frame.y(p.value)) for p in series.points]
    line: Attrs = {"points": _points_attr(coords), "class": f"chart-line chart-line-{n + 1}", "fill": "none"}
    line |= {"stroke": _STROKES[style], "stroke-width": 2, "stroke-linejoin": "round"}
    if _DASHES[style]:
        line["stroke-dasharray"] = _DASHES[style]
    markers = []
    for point, (x, y) in zip(series.points, coords, strict=True):
        label = gettext(POINT_TITLE).format(
            name=series.name,
            when=point.spoken_label,
            value=point.value,
            band=_band_suffix(point.value, bands),
        )
        markers.append(_marker(_MARKERS[style], x, y, f"chart-marker chart-marker-{n + 1}", _title(label)))
    group = _el("polyline", line) + "".join(markers)
    return _el("g", {"class": f"chart-series chart-series-{n + 1}"}, group)


def _marker(shape: str, x: float, y: float, cls: str, children: str = "") -> str:
    paint: Attrs = {"class": cls, "fill": "#1a1a1a", "stroke": "#ffffff", "stroke-width": 1}
    if shape == "circle":
        return _el("circle", {"cx": x, "cy": y, "r": 4.5, **paint}, children)
    if shape == "square":
        return _el("rect", {"x": x - 4, "y": y - 4, "width": 8, "height": 8, **paint}, children)
    corners = {
        "triangle": [(x, y - 5.5), (x + 5, y + 4), (x - 5, y + 4)],
        "diamond": [(x, y - 5.5), (x + 5.5, y), (x, y + 5.5), (x - 5.5, y)],
    }[shape]
    return _el("polygon", {"points": _points_attr(corners), **paint}, children)


def _legend(series: Sequence[Series], width: int) -> tuple[str, float]:
    """The series named in text with their line and marker, wrapping onto rows as needed."""
    parts, x, row = [], 8.0, 0
    for n, s in enumerate(series):
        item_width = 34 + _text_width(s.name)
        if x > 8 and x + item_width > width - 8:
            x, row = 8.0, row + 1
        y = 10 + row * (_LINE + 6)
        style = n % len(_MARKERS)
        sample: Attrs = {"x1": x, "y1": y, "x2": x + 24, "y2": y, "class": f"chart-line chart-line-{n + 1}"}
        sample |= {"stroke": _STROKES[style], "stroke-width": 2}
        if _DASHES[style]:
            sample["stroke-dasharray"] = _DASHES[style]
        parts.append(_el("line", sample))
        parts.append(_marker(_MARKERS[style], x + 12, y, f"chart-marker chart-marker-{n + 1}"))
        parts.append(_text(x + 30, y, s.name, "chart-legend-label"))
        x += item_width + 16
    group = _el("g", {"class": "chart-legend"}, "".join(parts))
    return group, 10 + row * (_LINE + 6) + _FONT / 2


def _summary(series: Series, bands: Sequence[BandShade], gettext: Callable[[str], str]) -> str:
    """The series in words, for the chart's <desc>: first score, latest score and the change."""
    first, latest = series.points[0], series.points[-1]
    if len(series.points) == 1:
        return gettext(ONE_SCORE).format(
            name=series.name,
            value=first.value,
            band=_band_suffix(first.value, bands),
            when=first.spoken_label,
        )
    change = latest.value - first.value
    if change < 0:
        words = gettext(WENT_DOWN).format(points=-change)
    elif change > 0:
        words = gettext(WENT_UP).format(points=change)
    else:
        words = gettext(NO_CHANGE)
    return gettext(SUMMARY).format(
        name=series.name,
        first=first.value,
        first_band=_band_suffix(first.value, bands),
        first_when=first.spoken_label,
        latest=latest.value,
        latest_band=_band_suffix(latest.value, bands),
        latest_when=latest.spoken_label,
        change=words,
    )
