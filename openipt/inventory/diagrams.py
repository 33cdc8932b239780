"""Pictures of the interpersonal inventory: the closeness circle and the timeline around the onset.

Pure: standard library only, no clock, no I/O; the conventions of `openipt.lib.charts`. Every
string that reaches the output is escaped, because names, relationships and event labels are
user data. No `style` attributes are written (a strict Content-Security-Policy holds);
presentation attributes are. Both pictures are `role="img"` with a <title> and a <desc> that
says in words everything the picture shows, and scale through their viewBox.

**Closeness circle** (as used in family-based IPT, Dietz et al. 2015; see docs/clinical/ipt.md). A
400-unit-wide viewBox, legible on a 360 px phone (names at 14 units, other text at 13) and on a
desk. Three rings around the client; each person sits on their ring, spread evenly by angle, each
ring turned so that its marker and name clear every other marker, name and ring label. Names are
never cut short: a name longer than `NAME_CHARS` wraps onto further lines (at spaces where it can),
up to `NAME_LINES` lines; only a name longer than that ends in an ellipsis, and the full name is
always in the marker's <title> and in the <desc>. When a ring holds more people than fit legibly
(the capacity follows from the ring's circumference and the size of a label), the overflow is
grouped into one "+N more" marker whose <title> names them; the <desc> lists everyone. People with a
mark (conflict, lost, changed) are kept visible before those without. Marks never rest on colour:

    some conflict      jagged (star) marker and "⚡"
    serious conflict   larger star inside a ring and "⚡⚡"
    changed recently   dashed outline around the marker and "Δ"
    lost               hollow marker and "†" (died, or the relationship ended)

**Timeline** (a clinic aid, not a named part of the manuals: see docs/clinical/ipt.md). Life events
on a date axis with month ticks, labels staggered onto rows so they do not overlap, the onset as a
labelled vertical line with a shaded band of `near_days` either side ("near the onset": events in it
are bold, drawn larger and filled, and listed as such in the <desc>), and mood scores as a line in a
strip below, on their own scale. Text keeps its size in viewBox units: render it with `width=360`
for phones.

Classes for the stylesheet (colours only; shapes and words carry the meaning):

    svg.closeness-circle            .circle-band.circle-band-<ring>, .circle-ring-label,
                                    .circle-client, .circle-person.circle-ring-<ring>,
                                    .circle-conflict, .circle-serious, .circle-changed,
                                    .circle-lost,
                                    .circle-marker, .circle-name, .circle-symbols,
                                    .circle-more, .circle-legend, .circle-empty
    svg.timeline                    .timeline-axis, .timeline-tick, .timeline-event,
                                    .timeline-event-near, .timeline-event-label, .timeline-onset,
                                    .timeline-onset-label, .timeline-near, .timeline-mood-line,
                                    .timeline-mood-point, .timeline-mood-label, .timeline-legend,
                                    .timeline-empty, .timeline-empty-frame
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final
from xml.sax.saxutils import escape, quoteattr

from openipt.lib.i18n import gettext_noop

SVG_NS: Final = "http://www.w3.org/2000/svg"
RINGS: Final = ("inner", "middle", "outer")

RING_NAMES: Final = {
    "inner": gettext_noop("inner ring"),
    "middle": gettext_noop("middle ring"),
    "outer": gettext_noop("outer ring"),
}
RING_SHORT: Final = {
    "inner": gettext_noop("inner"),
    "middle": gettext_noop("middle"),
    "outer": gettext_noop("outer"),
}
IN_CONFLICT: Final = gettext_noop("in conflict")
IN_SERIOUS_CONFLICT: Final = gettext_noop("in serious conflict")
CHANGED_RECENTLY: Final = gettext_noop("changed recently")
LOST: Final = gettext_noop("lost (died or ended)")
PERSON_WORD: Final = gettext_noop("person")
WHO: Final = gettext_noop("{name} ({relationship})")
PERSON_TITLE: Final = gettext_noop("{who} — {ring}")
PERSON_TITLE_MARKED: Final = gettext_noop("{who} — {ring} — {marks}")
MORE: Final = gettext_noop("+{count} more")
MORE_TITLE: Final = gettext_noop("{count} more in the {ring}: {names}")
MORE_LEGEND: Final = gettext_noop("+N more: grouped to save room")
CIRCLE_DESC: Final = gettext_noop("Closeness circle with {client} in the centre.")
RING_DESC: Final = gettext_noop("{ring}: {people}.")
RING_DESC_EMPTY: Final = gettext_noop("{ring}: no one.")
MORE_DESC: Final = gettext_noop("Grouped as {more} in the {ring}: {names}.")
NO_PEOPLE: Final = gettext_noop("No people recorded yet")

NO_EVENTS: Final = gettext_noop("No life events recorded yet")
ONSET: Final = gettext_noop("Onset")
ONSET_LABEL: Final = gettext_noop("Onset: {date}")
NEAR_ONSET: Final = gettext_noop("near the onset")
NEAR_LEGEND: Final = gettext_noop("Shaded: within {days} days of the onset")
NEAR_EVENT_LEGEND: Final = gettext_noop("Event near the onset (bold)")
OTHER_EVENT_LEGEND: Final = gettext_noop("Other event")
EVENT_TITLE: Final = gettext_noop("{label} — {date}")
EVENT_TITLE_NEAR: Final = gettext_noop("{label} — {date} — near the onset")
MOOD_LABEL: Final = gettext_noop("PHQ-9 total")
MOOD_AXIS: Final = gettext_noop("Mood: {label}, 0–{max} (higher is worse)")
MOOD_TITLE: Final = gettext_noop("{label} on {date}: {value} of {max}")
TIMELINE_DESC: Final = gettext_noop("Life events from {start} to {end}: {events}.")
ONSET_DESC: Final = gettext_noop("The depression began on {date}.")
NO_ONSET_DESC: Final = gettext_noop("No onset date is recorded.")
ONSET_OUTSIDE_DESC: Final = gettext_noop("The onset, {date}, lies outside the period shown.")
NEAR_DESC: Final = gettext_noop("Near the onset (within {days} days): {events}.")
NONE_NEAR_DESC: Final = gettext_noop("No event lies within {days} days of the onset.")
OUTSIDE_DESC: Final = gettext_noop("Events outside the period shown: {count}.")
MOOD_DESC: Final = gettext_noop("{label}: {scores}.")
MOOD_SCORE: Final = gettext_noop("{value} on {date}")
EVENT_DESC: Final = gettext_noop("{label} ({date})")
MONTHS: Final = (
    gettext_noop("Jan"),
    gettext_noop("Feb"),
    gettext_noop("Mar"),
    gettext_noop("Apr"),
    gettext_noop("May"),
    gettext_noop("Jun"),
    gettext_noop("Jul"),
    gettext_noop("Aug"),
    gettext_noop("Sep"),
    gettext_noop("Oct"),
    gettext_noop("Nov"),
    gettext_noop("Dec"),
)

NAME_CHARS: Final = 12  # longest line of a name drawn on the circle
NAME_LINES: Final = 3  # a name wraps onto at most this many lines
_LINE_GAP = 15.0  # from one line of a name to the next
CLIENT_CHARS: Final = 6

_FONT = 14  # names on the circle, in viewBox units
_SMALL = 13  # everything else
_CHAR_WIDTH = 0.6  # of the font size: a generous average for sans-serif glyphs
_SYMBOL_WIDTH = 0.95  # "⚡", "Δ" and "†" are wider than letters
_INK = "#1a1a1a"
_LINE = "#595959"
_PAPER = "#ffffff"
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

Attrs = dict[str, str | float]
Gettext = Callable[[str], str]


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


def _text(
    x: float,
    y: float,
    content: str,
    cls: str,
    *,
    size: float = _SMALL,
    anchor: str = "start",
    bold: bool = False,
) -> str:
    """Text centred vertically on `y`, with a white halo so lines behind it do not cut it."""
    attrs: Attrs = {"x": x, "y": y, "class": cls, "font-size": size, "dy": "0.35em", "fill": _INK}
    attrs |= {"stroke": _PAPER, "stroke-width": 3, "stroke-linejoin": "round", "paint-order": "stroke"}
    if anchor != "start":
        attrs["text-anchor"] = anchor
    if bold:
        attrs["font-weight"] = "bold"
    return _el("text", attrs, escape(content))


def _title(content: str, children: str = "") -> str:
    return _el("title", {}, escape(content)) + children


def _width(content: str, size: float = _SMALL) -> float:
    return len(content) * size * _CHAR_WIDTH


def _lines(content: str, width: int = NAME_CHARS, most: int = NAME_LINES) -> list[str]:
    """`content` wrapped into lines of at most `width` characters, at spaces where it can (a
    longer word is split); only what does not fit in `most` lines is left for an ellipsis."""
    lines: list[str] = []
    for word in content.split():
        pieces = [word[i : i + width] for i in range(0, len(word), width)]
        if lines and len(lines[-1]) + 1 + len(pieces[0]) <= width:
            lines[-1] += " " + pieces.pop(0)
        lines.extend(pieces)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines or [""]


def _shorten(content: str, limit: int) -> str:
    content = " ".join(content.split())
    if len(content) <= limit:
        return content
    return content[: limit - 1].rstrip() + "…"


def _svg(cls: str, width: float, height: float, title: str, desc: str, chart_id: str, body: str) -> str:
    if not _ID.fullmatch(chart_id):
        raise ValueError(f"chart_id must be a plain identifier, not {chart_id!r}")
    root: Attrs = {"xmlns": SVG_NS, "class": cls, "width": "100%"}
    root |= {"viewBox": f"0 0 {_num(width)} {_num(height)}", "role": "img"}
    root |= {"aria-labelledby": f"{chart_id}-title {chart_id}-desc", "font-family": "sans-serif"}
    heading = _el("title", {"id": f"{chart_id}-title"}, escape(title))
    heading += _el("desc", {"id": f"{chart_id}-desc"}, escape(desc))
    return _el("svg", root, heading + body)


def _default_id(prefix: str, content: object) -> str:
    return f"{prefix}-" + hashlib.blake2s(repr(content).encode(), digest_size=5).hexdigest()


@dataclass(frozen=True)
class _Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlap(self, other: _Box, gap: float = 0.0) -> float:
        """The area shared with `other` once both are grown by `gap` / 2 on every side."""
        width = min(self.right, other.right) - max(self.left, other.left) + gap
        height = min(self.bottom, other.bottom) - max(self.top, other.top) + gap
        return max(width, 0.0) * max(height, 0.0)


# --- closeness circle ------------------------------------------------------------------------


@dataclass(frozen=True)
class CirclePerson:
    """One person on the closeness circle. `lost` is a death or a relationship that ended."""

    id: int
    name: str
    relationship: str
    ring: str
    conflict: bool = False
    changed_recently: bool = False
    lost: bool = False
    serious_conflict: bool = False  # implies `conflict`; drawn and described apart from some conflict

    def __post_init__(self) -> None:
        if self.ring not in RINGS:
            raise ValueError(f"ring must be one of {', '.join(RINGS)}, not {self.ring!r}")
        if self.serious_conflict and not self.conflict:
            object.__setattr__(self, "conflict", True)

    @property
    def marked(self) -> bool:
        return self.conflict or self.changed_recently or self.lost

    @property
    def symbols(self) -> str:
        return (
            ("⚡⚡" if self.serious_conflict else "⚡" if self.conflict else "")
            + ("Δ" if self.changed_recently else "")
            + ("†" if self.lost else "")
        )


@dataclass(frozen=True)
class _Mark:
    """One thing drawn on a ring: a person, or the "+N more" marker standing for `hidden`."""

    label: str
    symbols: str
    person: CirclePerson | None = None
    hidden: tuple[CirclePerson, ...] = ()


@dataclass(frozen=True)
class _Placed:
    mark: _Mark
    x: float
    y: float
    label_x: float
    box: _Box


_SIZE = 400.0
_CENTRE = _SIZE / 2
_CLIENT_RADIUS = 28.0
_BOUNDARY = {"inner": 94.0, "middle": 147.0, "outer": 197.0}
_RADIUS = {"inner": 66.0, "middle": 120.0, "outer": 172.0}
_NAME_BELOW = 23.0  # from a marker's centre to the centre of its name: clear of the widest outline
_TURNS = 36  # offsets tried per ring, as fractions of the angle between neighbours


def closeness_circle(
    people: Sequence[CirclePerson],
    *,
    client_label: str,
    title: str,
    chart_id: str | None = None,
    gettext: Gettext = _no_translation,
) -> str:
    """The closeness circle: the client in the centre, each person on the ring they chose.

    See the module docstring for the layout, the marks and the overflow rule. `chart_id`
    prefixes the ids that `aria-labelledby` points to (by default derived from the content).
    """
    chart_id = chart_id or _default_id("circle", (client_label, title, list(people)))
    low, high = _CENTRE - _CLIENT_RADIUS, _CENTRE + _CLIENT_RADIUS
    labels = _ring_labels(gettext)
    obstacles = [_Box(low, low, high, high), *(box for _, box in labels)]
    placed: dict[str, list[_Placed]] = {}
    for ring in RINGS:
        on_ring = [p for p in people if p.ring == ring]
        placed[ring] = _place_ring(on_ring, ring, obstacles, gettext)
        obstacles.extend(p.box for p in placed[ring])
    body = _bands(labels) + _client(client_label)
    body += "".join(_person_mark(p, ring, gettext) for ring in RINGS for p in placed[ring])
    if not people:
        body += _text(_CENTRE, _CENTRE + 52, gettext(NO_PEOPLE), "circle-empty", anchor="middle")
    overflow = any(p.mark.hidden for marks in placed.values() for p in marks)
    legend, legend_height = _circle_legend(_SIZE + 8, overflow, gettext)
    desc = _circle_desc(people, placed, client_label, gettext)
    return _svg("closeness-circle", _SIZE, _SIZE + 8 + legend_height, title, desc, chart_id, body + legend)


def _ring_labels(gettext: Gettext) -> list[tuple[str, _Box]]:
    """Each ring's name, just inside its top edge, and the box it takes up."""
    labels = []
    for ring in RINGS:
        word = gettext(RING_SHORT[ring])
        y = _CENTRE - _BOUNDARY[ring] + _SMALL / 2 + 3
        half = _width(word) / 2 + 3
        labels.append((word, _Box(_CENTRE - half, y - _SMALL / 2 - 1, _CENTRE + half, y + _SMALL / 2 + 1)))
    return labels


def _place_ring(
    on_ring: Sequence[CirclePerson], ring: str, obstacles: Sequence[_Box], gettext: Gettext
) -> list[_Placed]:
    """Place a ring's people evenly by angle, turned (and each nudged a little) to clear
    `obstacles` and each other.

    Starts from the ring's capacity (its circumference over the width of the narrowest label)
    and shows one fewer, with a "+N more" marker, until no label overlaps another; if none of
    the arrangements is clear, the one that overlaps least.
    """
    if not on_ring:
        return []
    radius = _RADIUS[ring]
    # at most as many as the ring would hold if every label were as narrow as the narrowest
    narrowest = min(max(_width(line, _FONT) for line in _lines(p.name)) for p in on_ring)
    capacity = max(1, int(2 * math.pi * radius / (max(narrowest, 24.0) + 10)))
    best: tuple[float, list[_Placed]] | None = None
    for shown in range(min(len(on_ring), capacity), 0, -1):
        marks = _ring_marks(on_ring, shown, ring, gettext)
        turns = [_even(len(marks), turn / _TURNS) for turn in range(_TURNS)]
        costs = sorted(
            (_cost(_layout(marks, radius, angles), obstacles), n) for n, angles in enumerate(turns)
        )
        for cost, n in costs[:3]:
            angles = turns[n] if cost == 0 else _nudge(marks, radius, turns[n], obstacles)
            layout = _layout(marks, radius, angles)
            cost = _cost(layout, obstacles)
            if best is None or cost < best[0]:
                best = (cost, layout)
            if cost == 0:
                return layout
    assert best is not None
    return best[1]


def _even(count: int, turn: float) -> list[float]:
    """`count` angles evenly round the circle from the top, turned by `turn` of a step."""
    step = 2 * math.pi / count
    return [-math.pi / 2 + (k + turn) * step for k in range(count)]


def _nudge(
    marks: Sequence[_Mark], radius: float, angles: Sequence[float], obstacles: Sequence[_Box]
) -> list[float]:
    """Move single marks along the ring, by up to a third of the step to their neighbours,
    while that lowers the overlap; the order round the ring stays as it was."""
    step = 2 * math.pi / len(marks)
    moved = list(angles)
    placed = _layout(marks, radius, moved)

    def own(i: int, candidate: _Placed) -> float:
        others = (p.box for j, p in enumerate(placed) if j != i)
        return sum(candidate.box.overlap(b) for b in [*others, *obstacles]) + _outside(candidate.box)

    for _ in range(4):
        changed = False
        for i, mark in enumerate(marks):
            current = own(i, placed[i])
            if current == 0:
                continue
            for k in (1, -1, 2, -2, 3, -3, 4, -4, 5, -5):
                angle = angles[i] + k * step / 15
                candidate = _place(mark, radius, angle)
                cost = own(i, candidate)
                if cost < current:
                    current, moved[i], placed[i], changed = cost, angle, candidate, True
        if not changed:
            break
    return moved


def _ring_marks(on_ring: Sequence[CirclePerson], shown: int, ring: str, gettext: Gettext) -> list[_Mark]:
    """The marks for one ring: everyone, or the first `shown - 1` people (marked people first,
    then in the order given) and a "+N more" marker for the rest. Kept in the order given."""

    def mark(p: CirclePerson) -> _Mark:
        return _Mark(" ".join(p.name.split()), p.symbols, person=p)

    if shown >= len(on_ring):
        return [mark(p) for p in on_ring]
    priority = sorted(range(len(on_ring)), key=lambda i: (not on_ring[i].marked, i))
    kept = sorted(priority[: shown - 1])
    hidden = tuple(on_ring[i] for i in sorted(priority[shown - 1 :]))
    more = _Mark(gettext(MORE).format(count=len(hidden)), "", hidden=hidden)
    return [mark(on_ring[i]) for i in kept] + [more]


def _layout(marks: Sequence[_Mark], radius: float, angles: Sequence[float]) -> list[_Placed]:
    return [_place(mark, radius, angle) for mark, angle in zip(marks, angles, strict=True)]


def _place(mark: _Mark, radius: float, angle: float) -> _Placed:
    """A mark on the ring at `angle`: the marker there, its symbols to the right, its name
    below (kept inside the picture), and the box they take up."""
    x = _CENTRE + radius * math.cos(angle)
    y = _CENTRE + radius * math.sin(angle)
    lines = _lines(mark.label) if mark.person else [mark.label]
    half = max(_width(line, _FONT) for line in lines) / 2
    label_x = min(max(x, half + 2), _SIZE - half - 2)
    right = x + 14 + len(mark.symbols) * _FONT * _SYMBOL_WIDTH if mark.symbols else x + 12
    # the box holds the marker with its outlines (a ring of 14.5 at most), the symbols and every line
    top = y - 16
    bottom = y + _NAME_BELOW + (len(lines) - 1) * _LINE_GAP + 8
    box = _Box(min(x - 16, label_x - half), top, max(right, label_x + half), bottom)
    return _Placed(mark, x, y, label_x, box)


def _outside(box: _Box) -> float:
    return 1000.0 if box.left < 0 or box.right > _SIZE or box.top < 0 or box.bottom > _SIZE else 0.0


def _cost(layout: Sequence[_Placed], obstacles: Sequence[_Box]) -> float:
    """How much the boxes overlap each other and the obstacles, plus a penalty for leaving the picture."""
    cost = 0.0
    for i, a in enumerate(layout):
        cost += sum(a.box.overlap(b.box) for b in layout[i + 1 :])
        cost += sum(a.box.overlap(o) for o in obstacles) + _outside(a.box)
    return cost


def _bands(labels: Sequence[tuple[str, _Box]]) -> str:
    """The three rings, shaded lighter outwards, each with its name on a white tab."""
    fills = {"outer": "#fafafa", "middle": "#f0f0f0", "inner": "#e6e6e6"}
    parts = []
    for ring in reversed(RINGS):
        disc: Attrs = {"cx": _CENTRE, "cy": _CENTRE, "r": _BOUNDARY[ring], "fill": fills[ring]}
        disc |= {"stroke": _LINE, "stroke-width": 1.25, "class": f"circle-band circle-band-{ring}"}
        parts.append(_el("circle", disc))
    for word, box in labels:
        tab: Attrs = {
            "x": box.left,
            "y": box.top,
            "width": box.right - box.left,
            "height": box.bottom - box.top,
        }
        parts.append(_el("rect", tab | {"rx": 3, "fill": _PAPER, "stroke": _LINE, "stroke-width": 0.75}))
        middle = (box.top + box.bottom) / 2
        parts.append(_text(_CENTRE, middle, word, "circle-ring-label", anchor="middle"))
    return "".join(parts)


def _client(client_label: str) -> str:
    disc: Attrs = {"cx": _CENTRE, "cy": _CENTRE, "r": _CLIENT_RADIUS, "fill": _PAPER}
    disc |= {"stroke": _INK, "stroke-width": 2, "class": "circle-client"}
    name = _shorten(client_label, CLIENT_CHARS)
    label = _text(_CENTRE, _CENTRE, name, "circle-client-label", anchor="middle", bold=True)
    return _el("g", {"class": "circle-client"}, _title(client_label) + _el("circle", disc) + label)


def _marks_words(person: CirclePerson, gettext: Gettext) -> list[str]:
    return [
        gettext(word)
        for flag, word in (
            (person.conflict and not person.serious_conflict, IN_CONFLICT),
            (person.serious_conflict, IN_SERIOUS_CONFLICT),
            (person.changed_recently, CHANGED_RECENTLY),
            (person.lost, LOST),
        )
        if flag
    ]


def _who(person: CirclePerson, gettext: Gettext) -> str:
    if not person.relationship:
        return person.name
    return gettext(WHO).format(name=person.name, relationship=person.relationship)


def _person_title(person: CirclePerson, gettext: Gettext) -> str:
    ring = gettext(RING_NAMES[person.ring])
    marks = _marks_words(person, gettext)
    if marks:
        return gettext(PERSON_TITLE_MARKED).format(
            who=_who(person, gettext), ring=ring, marks=", ".join(marks)
        )
    return gettext(PERSON_TITLE).format(who=_who(person, gettext), ring=ring)


def _person_mark(placed: _Placed, ring: str, gettext: Gettext) -> str:
    mark, x, y = placed.mark, placed.x, placed.y
    person = mark.person
    if person is None:
        names = ", ".join(p.name for p in mark.hidden)
        title = gettext(MORE_TITLE).format(
            count=len(mark.hidden), ring=gettext(RING_NAMES[ring]), names=names
        )
        shape = _more_marker(x, y)
        classes = f"circle-more circle-ring-{ring}"
        attrs: Attrs = {"class": classes, "data-count": len(mark.hidden)}
    else:
        title = _person_title(person, gettext)
        shape = _marker(person, x, y)
        flags = [
            f
            for f, on in (
                ("conflict", person.conflict),
                ("serious", person.serious_conflict),
                ("changed", person.changed_recently),
                ("lost", person.lost),
            )
            if on
        ]
        classes = " ".join(["circle-person", f"circle-ring-{ring}", *(f"circle-{f}" for f in flags)])
        attrs = {"class": classes, "data-person-id": person.id}
    parts = [_title(title), shape]
    if mark.symbols:
        parts.append(_text(x + 14, y, mark.symbols, "circle-symbols", size=_FONT, bold=True))
    lines = _lines(mark.label) if person else [mark.label]
    for n, line in enumerate(lines):
        y_line = y + _NAME_BELOW + n * _LINE_GAP
        parts.append(_text(placed.label_x, y_line, line, "circle-name", size=_FONT, anchor="middle"))
    return _el("g", attrs, "".join(parts))


def _marker(person: CirclePerson, x: float, y: float, extra_class: str = "") -> str:
    """Shape by conflict (star or dot), fill by lost (hollow or solid), dashes by change."""
    fill = _PAPER if person.lost else _INK
    cls = f"circle-marker {extra_class}".strip()
    paint: Attrs = {"class": cls, "fill": fill, "stroke": _INK, "stroke-width": 2}
    parts = []
    if person.changed_recently:
        ring: Attrs = {"cx": x, "cy": y, "r": 11.5, "fill": "none", "stroke": _INK, "stroke-width": 1.5}
        parts.append(_el("circle", ring | {"stroke-dasharray": "3 2.5", "class": "circle-changed-outline"}))
    if person.serious_conflict:
        # a larger star inside a solid ring: tells serious from some conflict without colour
        ring_line: Attrs = {"cx": x, "cy": y, "r": 14.5, "fill": "none", "stroke": _INK, "stroke-width": 2}
        parts.append(_el("circle", ring_line | {"class": "circle-serious-outline"}))
    if person.conflict:
        corners = []
        outer, inner = (10.5, 4.5) if person.serious_conflict else (9.0, 4.5)
        for k in range(16):
            angle = -math.pi / 2 + k * math.pi / 8
            r = outer if k % 2 == 0 else inner
            corners.append(f"{_num(x + r * math.cos(angle))},{_num(y + r * math.sin(angle))}")
        parts.append(_el("polygon", paint | {"points": " ".join(corners), "stroke-linejoin": "miter"}))
    else:
        parts.append(_el("circle", paint | {"cx": x, "cy": y, "r": 6}))
    return "".join(parts)


def _more_marker(x: float, y: float) -> str:
    box: Attrs = {"x": x - 7, "y": y - 7, "width": 14, "height": 14, "rx": 2, "class": "circle-marker"}
    plus = f"M{_num(x - 4)},{_num(y)}h8M{_num(x)},{_num(y - 4)}v8"
    return _el("rect", box | {"fill": _PAPER, "stroke": _INK, "stroke-width": 2}) + _el(
        "path", {"d": plus, "stroke": _INK, "stroke-width": 2, "fill": "none"}
    )


def _circle_legend(top: float, overflow: bool, gettext: Gettext) -> tuple[str, float]:
    """A key to every mark, in two columns where they fit and one where they do not."""
    samples = [
        (CirclePerson(0, "", "", "inner"), gettext(PERSON_WORD)),
        (CirclePerson(0, "", "", "inner", conflict=True), "⚡ " + gettext(IN_CONFLICT)),
        (CirclePerson(0, "", "", "inner", serious_conflict=True), "⚡⚡ " + gettext(IN_SERIOUS_CONFLICT)),
        (CirclePerson(0, "", "", "inner", changed_recently=True), "Δ " + gettext(CHANGED_RECENTLY)),
        (CirclePerson(0, "", "", "inner", lost=True), "† " + gettext(LOST)),
    ]
    entries: list[tuple[CirclePerson | None, str]] = [(p, words) for p, words in samples]
    if overflow:
        entries.append((None, gettext(MORE_LEGEND)))
    columns = 2 if all(30 + _width(words) <= _SIZE / 2 - 8 for _, words in entries) else 1
    parts, row_height = [], 24.0
    for n, (sample, words) in enumerate(entries):
        x = 8 + (n % columns) * _SIZE / 2
        y = top + 14 + (n // columns) * row_height
        shape = _more_marker(x + 12, y) if sample is None else _marker(sample, x + 12, y)
        parts.append(shape + _text(x + 30, y, words, "circle-legend-label"))
    rows = math.ceil(len(entries) / columns)
    return _el("g", {"class": "circle-legend"}, "".join(parts)), rows * row_height + 4


def _circle_desc(
    people: Sequence[CirclePerson], placed: dict[str, list[_Placed]], client_label: str, gettext: Gettext
) -> str:
    sentences = [gettext(CIRCLE_DESC).format(client=client_label)]
    for ring in RINGS:
        on_ring = [p for p in people if p.ring == ring]
        name = gettext(RING_NAMES[ring])
        name = name[:1].upper() + name[1:]
        if not on_ring:
            sentences.append(gettext(RING_DESC_EMPTY).format(ring=name))
            continue
        entries = []
        for p in on_ring:
            marks = _marks_words(p, gettext)
            entries.append(f"{_who(p, gettext)}" + (f" — {', '.join(marks)}" if marks else ""))
        sentences.append(gettext(RING_DESC).format(ring=name, people="; ".join(entries)))
        for placed_mark in placed[ring]:
            if placed_mark.mark.hidden:
                names = ", ".join(h.name for h in placed_mark.mark.hidden)
                more = placed_mark.mark.label
                sentences.append(
                    gettext(MORE_DESC).format(more=more, ring=gettext(RING_NAMES[ring]), names=names)
                )
    return " ".join(sentences)


# --- timeline --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEvent:
    """One life event; `label` is what to show ("Job loss", "Moved to Leeds")."""

    on: date
    label: str
    id: int | None = None


@dataclass(frozen=True)
class MoodPoint:
    """One score on the mood strip, e.g. a PHQ-9 total out of 27."""

    on: date
    value: int
    max_value: int

    def __post_init__(self) -> None:
        if self.max_value <= 0:
            raise ValueError(f"max_value must be positive, not {self.max_value}")


@dataclass(frozen=True)
class _Plan:
    """What the parts of one timeline share: the axis, the onset, and how to word things."""

    start: date
    end: date
    width: int
    onset: date | None
    near_days: int
    format_date: Callable[[date], str]
    gettext: Gettext
    left: float = 30.0  # room for the mood strip's scale
    right_margin: float = 16.0

    @property
    def right(self) -> float:
        return self.width - self.right_margin

    @property
    def per_day(self) -> float:
        return (self.right - self.left) / (self.end - self.start).days

    @property
    def label_chars(self) -> int:
        return max(8, self.width // 36)

    @property
    def onset_shown(self) -> bool:
        return self.onset is not None and self.holds(self.onset)

    def x(self, day: date) -> float:
        return self.left + (day - self.start).days * self.per_day

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end

    def near(self, day: date) -> bool:
        """Within `near_days` of an onset that the timeline shows."""
        return self.onset_shown and self.onset is not None and abs((day - self.onset).days) <= self.near_days

    def say(self, template: str, **params: object) -> str:
        return self.gettext(template).format(**params)


_ROW = 20.0  # height of one row of event labels
_STRIP = 64.0  # height of the mood strip's plot
_TOP = 8.0 + _ROW  # below the onset's label


def timeline(
    events: Sequence[TimelineEvent],
    *,
    onset: date | None,
    mood: Sequence[MoodPoint],
    start: date,
    end: date,
    title: str,
    near_days: int,
    width: int = 640,
    mood_label: str = MOOD_LABEL,
    format_date: Callable[[date], str] = date.isoformat,
    chart_id: str | None = None,
    gettext: Gettext = _no_translation,
) -> str:
    """Life events from `start` to `end` around the onset, with mood below (module docstring).

    Events and scores outside start..end are left out of the picture; the <desc> counts the
    events left out. With no events at all it says "No life events recorded yet". Dates in
    titles and the <desc> go through `format_date` (ISO 8601 by default); `mood_label` names
    the scores ("PHQ-9 total").
    """
    if end <= start:
        raise ValueError("a timeline must end after it starts")
    if near_days < 0:
        raise ValueError("near_days cannot be negative")
    chart_id = chart_id or _default_id("timeline", (title, start, end, onset, list(events), list(mood)))
    if not events:
        return _empty_timeline(width, title, chart_id, gettext)
    plan = _Plan(start, end, width, onset, near_days, format_date, gettext)
    shown = sorted((e for e in events if plan.holds(e.on)), key=lambda e: (e.on, e.id or 0))
    scores = sorted((m for m in mood if plan.holds(m.on)), key=lambda m: m.on)
    rows = _label_rows(shown, plan)
    axis_y = _TOP + 6 + (max(rows, default=-1) + 1) * _ROW + 14
    strip_top = axis_y + 44 + _ROW
    bottom = strip_top + _STRIP + 4 if scores else axis_y + 40
    parts = [_onset(plan, bottom) if plan.onset_shown else "", _axis(plan, axis_y)]
    # Higher rows first, so the halos of lower labels cover the leader lines that pass them.
    for event, row in sorted(zip(shown, rows, strict=True), key=lambda pair: -pair[1]):
        parts.append(_event(event, row, plan, axis_y))
    if scores:
        parts.append(_mood(scores, plan, strip_top, mood_label))
    legend, legend_height = _timeline_legend(plan, bottom + 10)
    desc = _timeline_desc(plan, events, shown, scores, mood_label)
    body = "".join(parts) + legend
    return _svg("timeline", width, bottom + 10 + legend_height, title, desc, chart_id, body)


def _empty_timeline(width: int, title: str, chart_id: str, gettext: Gettext) -> str:
    message = gettext(NO_EVENTS)
    height = 96
    box: Attrs = {"x": 1, "y": 1, "width": width - 2, "height": height - 2, "class": "timeline-empty-frame"}
    body = _el("rect", box | {"fill": "none", "stroke": "#8c8c8c", "stroke-dasharray": "4 4"})
    body += _text(width / 2, height / 2, message, "timeline-empty", anchor="middle")
    return _svg("timeline", width, height, title, message, chart_id, body)


def _label_span(event: TimelineEvent, plan: _Plan) -> tuple[float, float]:
    """Left and right of the event's label: centred over it, kept inside the picture."""
    half = _width(_shorten(event.label, plan.label_chars)) / 2 + 2
    centre = min(max(plan.x(event.on), half + 2), plan.width - half - 2)
    return centre - half, centre + half


def _label_rows(events: Sequence[TimelineEvent], plan: _Plan) -> list[int]:
    """Give each label, left to right, the row nearest the axis where it clears the last label."""
    ends: list[float] = []
    rows = []
    for event in events:
        left, right = _label_span(event, plan)
        row = next((k for k, end in enumerate(ends) if end + 6 <= left), len(ends))
        if row == len(ends):
            ends.append(right)
        else:
            ends[row] = right
        rows.append(row)
    return rows


def _onset(plan: _Plan, bottom: float) -> str:
    """The shaded band of `near_days` either side, the onset line, and its label on top."""
    assert plan.onset is not None
    x = plan.x(plan.onset)
    reach = plan.near_days * plan.per_day
    left, right = max(x - reach, plan.left), min(x + reach, plan.right)
    band: Attrs = {"x": left, "y": _TOP, "width": max(right - left, 0), "height": bottom - _TOP}
    line: Attrs = {"x1": x, "y1": _TOP, "x2": x, "y2": bottom, "class": "timeline-onset"}
    label = plan.say(ONSET_LABEL, date=plan.format_date(plan.onset))
    half = _width(label) / 2
    label_x = min(max(x, half + 2), plan.width - half - 2)
    return (
        _el("rect", band | {"class": "timeline-near", "fill": "#e6e6e6"})
        + _el("line", line | {"stroke": _INK, "stroke-width": 2})
        + _text(label_x, 8 + _ROW / 2, label, "timeline-onset-label", anchor="middle", bold=True)
    )


def _axis(plan: _Plan, axis_y: float) -> str:
    """The axis with a tick on the first of each month, every 1, 2, 3, 6 or 12 months, whichever
    is the closest that leaves room between labels; the year under the first tick and each January."""
    line: Attrs = {"x1": plan.left, "y1": axis_y, "x2": plan.right, "y2": axis_y, "class": "timeline-axis"}
    parts = [_el("line", line | {"stroke": _INK, "stroke-width": 1.5})]
    room = max(_width(plan.gettext(m)) for m in MONTHS) + 8
    step = next((s for s in (1, 2, 3, 6) if s * 30.44 * plan.per_day >= room), 12)
    first = True
    for day in _months(plan.start, plan.end):
        if (day.month - 1) % step:
            continue
        x = plan.x(day)
        tick: Attrs = {"x1": x, "y1": axis_y, "x2": x, "y2": axis_y + 5, "class": "timeline-tick"}
        parts.append(_el("line", tick | {"stroke": _INK, "stroke-width": 1}))
        if step < 12:
            month = plan.gettext(MONTHS[day.month - 1])
            parts.append(_text(x, axis_y + 15, month, "timeline-tick", anchor="middle"))
        if first or day.month == 1 or step == 12:
            y = axis_y + 30 if step < 12 else axis_y + 15
            parts.append(_text(x, y, str(day.year), "timeline-tick timeline-year", anchor="middle"))
        first = False
    return "".join(parts)


def _months(start: date, end: date) -> list[date]:
    """The first day of each month from `start` to `end`."""
    months = []
    year, month = start.year, start.month
    while (day := date(year, month, 1)) <= end:
        if day >= start:
            months.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _event(event: TimelineEvent, row: int, plan: _Plan, axis_y: float) -> str:
    """A marker on the axis, a leader line up to the label's row, and the label."""
    near = plan.near(event.on)
    x = plan.x(event.on)
    label_y = axis_y - 22 - row * _ROW
    left, right = _label_span(event, plan)
    title = plan.say(
        EVENT_TITLE_NEAR if near else EVENT_TITLE, label=event.label, date=plan.format_date(event.on)
    )
    leader: Attrs = {
        "x1": x,
        "y1": axis_y - 6,
        "x2": x,
        "y2": label_y + 7,
        "stroke": _LINE,
        "stroke-width": 1,
    }
    marker: Attrs = {"cx": x, "cy": axis_y, "class": "timeline-marker", "stroke": _INK, "stroke-width": 2}
    marker |= {"r": 5.5, "fill": _INK} if near else {"r": 4, "fill": _PAPER}
    short = _shorten(event.label, plan.label_chars)
    label = _text((left + right) / 2, label_y, short, "timeline-event-label", anchor="middle", bold=near)
    attrs: Attrs = {"class": "timeline-event timeline-event-near" if near else "timeline-event"}
    if event.id is not None:
        attrs["data-event-id"] = event.id
    return _el("g", attrs, _title(title) + _el("line", leader) + _el("circle", marker) + label)


def _mood(scores: Sequence[MoodPoint], plan: _Plan, top: float, mood_label: str) -> str:
    """The scores as a line in a strip of their own, 0 at the bottom and the maximum at the top."""
    most = max(m.max_value for m in scores)
    label = plan.gettext(mood_label)
    parts = [_text(plan.left, top - 12, plan.say(MOOD_AXIS, label=label, max=most), "timeline-mood-label")]
    for value, y in ((0, top + _STRIP), (most, top)):
        grid: Attrs = {"x1": plan.left, "y1": y, "x2": plan.right, "y2": y, "class": "timeline-mood-grid"}
        parts.append(_el("line", grid | {"stroke": "#8c8c8c", "stroke-width": 0.75}))
        parts.append(_text(plan.left - 4, y, str(value), "timeline-tick", anchor="end"))
    coords = [(plan.x(m.on), top + _STRIP - min(max(m.value, 0), most) / most * _STRIP) for m in scores]
    points = " ".join(f"{_num(x)},{_num(y)}" for x, y in coords)
    line: Attrs = {"points": points, "class": "timeline-mood-line", "fill": "none", "stroke": _INK}
    parts.append(_el("polyline", line | {"stroke-width": 2, "stroke-linejoin": "round"}))
    for m, (x, y) in zip(scores, coords, strict=True):
        title = plan.say(MOOD_TITLE, label=label, date=plan.format_date(m.on), value=m.value, max=m.max_value)
        dot: Attrs = {"cx": x, "cy": y, "r": 3.5, "class": "timeline-mood-point", "fill": _INK}
        parts.append(_el("circle", dot | {"stroke": _PAPER, "stroke-width": 1}, _title(title)))
    return _el("g", {"class": "timeline-mood"}, "".join(parts))


def _timeline_legend(plan: _Plan, top: float) -> tuple[str, float]:
    """Keys for the band, the onset line and both kinds of event, wrapping onto rows."""
    items = [("event", plan.say(OTHER_EVENT_LEGEND))]
    if plan.onset_shown:
        items[:0] = [
            ("band", plan.say(NEAR_LEGEND, days=plan.near_days)),
            ("onset", plan.say(ONSET)),
            ("near", plan.say(NEAR_EVENT_LEGEND)),
        ]
    parts, x, row = [], 8.0, 0
    for kind, words in items:
        item_width = 24 + _width(words)
        if x > 8 and x + item_width > plan.width - 8:
            x, row = 8.0, row + 1
        y = top + 10 + row * _ROW
        parts.append(_legend_sample(kind, x + 8, y))
        parts.append(_text(x + 22, y, words, "timeline-legend-label", bold=kind == "near"))
        x += item_width + 16
    return _el("g", {"class": "timeline-legend"}, "".join(parts)), (row + 1) * _ROW + 4


def _legend_sample(kind: str, x: float, y: float) -> str:
    if kind == "band":
        box: Attrs = {"x": x - 8, "y": y - 7, "width": 16, "height": 14, "class": "timeline-near"}
        return _el("rect", box | {"fill": "#e6e6e6", "stroke": _LINE, "stroke-width": 0.75})
    if kind == "onset":
        line: Attrs = {"x1": x, "y1": y - 8, "x2": x, "y2": y + 8, "class": "timeline-onset"}
        return _el("line", line | {"stroke": _INK, "stroke-width": 2})
    near = kind == "near"
    marker: Attrs = {"cx": x, "cy": y, "r": 5.5 if near else 4, "fill": _INK if near else _PAPER}
    return _el("circle", marker | {"stroke": _INK, "stroke-width": 2, "class": "timeline-marker"})


def _timeline_desc(
    plan: _Plan,
    events: Sequence[TimelineEvent],
    shown: Sequence[TimelineEvent],
    scores: Sequence[MoodPoint],
    mood_label: str,
) -> str:
    """Everything the timeline shows, in words: the events, the onset and those near it, scores."""

    def listed(items: Sequence[TimelineEvent]) -> str:
        return "; ".join(plan.say(EVENT_DESC, label=e.label, date=plan.format_date(e.on)) for e in items)

    start, end = plan.format_date(plan.start), plan.format_date(plan.end)
    sentences = [plan.say(TIMELINE_DESC, start=start, end=end, events=listed(shown))]
    if plan.onset is None:
        sentences.append(plan.say(NO_ONSET_DESC))
    elif not plan.onset_shown:
        sentences.append(plan.say(ONSET_OUTSIDE_DESC, date=plan.format_date(plan.onset)))
    else:
        sentences.append(plan.say(ONSET_DESC, date=plan.format_date(plan.onset)))
        close = [e for e in shown if plan.near(e.on)]
        if close:
            sentences.append(plan.say(NEAR_DESC, days=plan.near_days, events=listed(close)))
        else:
            sentences.append(plan.say(NONE_NEAR_DESC, days=plan.near_days))
    if len(shown) < len(events):
        sentences.append(plan.say(OUTSIDE_DESC, count=len(events) - len(shown)))
    if scores:
        listed_scores = ", ".join(
            plan.say(MOOD_SCORE, value=m.value, date=plan.format_date(m.on)) for m in scores
        )
        sentences.append(plan.say(MOOD_DESC, label=plan.gettext(mood_label), scores=listed_scores))
    return " ".join(sentences)
