"""The closeness circle and the timeline: well-formed, labelled SVG with the structure promised."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from openipt.inventory.diagrams import (
    NAME_CHARS,
    CirclePerson,
    MoodPoint,
    TimelineEvent,
    closeness_circle,
    timeline,
)

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>"
CENTRE = 200.0

P = CirclePerson
PEOPLE = [
    P(1, "Mum", "Mother", "inner", conflict=True, changed_recently=True),
    P(2, "Dan", "Partner", "inner", conflict=True),
    P(3, "Grandad Joe", "Grandfather", "inner", lost=True),
    P(4, "Amy", "Sister", "inner"),
    P(5, "Dad", "Father", "middle", changed_recently=True),
    P(6, "Priya", "Best friend", "middle"),
    P(7, "Tom", "Brother", "middle"),
    P(8, "Aunt Margaret", "Aunt", "middle"),
    P(9, "Kev", "Manager", "outer", conflict=True),
    P(10, "Lena", "Neighbour", "outer"),
    P(11, "Coach Rivera", "Football coach", "outer"),
    P(12, "Sam's ex", "Former partner", "outer", lost=True),
    P(13, "Jo", "Colleague", "outer"),
    P(14, "Dr Okafor", "GP", "outer"),
]

START, END, ONSET = date(2025, 1, 1), date(2026, 7, 31), date(2026, 3, 17)
EVENTS = [
    TimelineEvent(date(2026, 2, 3), "Grandad Joe died", 5),
    TimelineEvent(date(2025, 3, 10), "Moved to Leeds", 1),
    TimelineEvent(date(2025, 7, 1), "New job at the hospital", 2),
    TimelineEvent(date(2025, 11, 20), "Rows with Dan began", 3),
    TimelineEvent(date(2026, 1, 5), "Grandad Joe diagnosed", 4),
    TimelineEvent(date(2026, 2, 20), "Funeral", 6),
    TimelineEvent(date(2026, 3, 1), "Dan moved out", 7),
    TimelineEvent(date(2026, 4, 2), "Signed off work", 8),
    TimelineEvent(date(2026, 6, 15), "Started IPT", 9),
]
MOOD = [
    MoodPoint(date(2026, 4, 10), 19, 27),
    MoodPoint(date(2026, 4, 24), 17, 27),
    MoodPoint(date(2026, 5, 15), 18, 27),
    MoodPoint(date(2026, 6, 12), 12, 27),
    MoodPoint(date(2026, 7, 26), 9, 27),
]


def circle(people: list[CirclePerson] = PEOPLE, **kwargs: object) -> str:
    options: dict[str, object] = {"client_label": "Sam", "title": "Closeness circle"} | kwargs
    return closeness_circle(people, **options)  # type: ignore[arg-type]


def line(events: list[TimelineEvent] = EVENTS, **kwargs: object) -> str:
    options: dict[str, object] = {
        "onset": ONSET,
        "mood": MOOD,
        "start": START,
        "end": END,
        "title": "Timeline",
        "near_days": 60,
    } | kwargs
    return timeline(events, **options)  # type: ignore[arg-type]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check that it is well formed
    assert root.tag == f"{NS}svg"
    return root


def find(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    found = root.iter(f"{NS}{tag}")
    return [e for e in found if cls is None or cls in e.get("class", "").split()]


def drawn(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    """Like `find`, leaving out the samples in the legend."""
    legend = {id(e) for g in find(root, "g", "timeline-legend") for e in g.iter()}
    return [e for e in find(root, tag, cls) if id(e) not in legend]


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


def texts(root: ET.Element, cls: str | None = None) -> list[str]:
    return [text_of(e) for e in find(root, "text", cls)]


def title_of(element: ET.Element) -> str:
    title = element.find(f"{NS}title")
    assert title is not None
    return text_of(title)


def desc(root: ET.Element) -> str:
    element = root.find(f"{NS}desc")
    assert element is not None
    return text_of(element)


def marker_centre(group: ET.Element) -> tuple[float, float]:
    (marker,) = [e for e in group if "circle-marker" in e.get("class", "").split()]
    if marker.tag == f"{NS}circle":
        return float(marker.get("cx", "")), float(marker.get("cy", ""))
    if marker.tag == f"{NS}rect":
        return float(marker.get("x", "")) + 7, float(marker.get("y", "")) + 7
    xs, ys = zip(*(map(float, pair.split(",")) for pair in marker.get("points", "").split()), strict=True)
    return sum(xs) / len(xs), sum(ys) / len(ys)


def distance(group: ET.Element) -> float:
    x, y = marker_centre(group)
    return math.hypot(x - CENTRE, y - CENTRE)


def people_groups(root: ET.Element) -> dict[int, ET.Element]:
    return {int(g.get("data-person-id", "")): g for g in find(root, "g", "circle-person")}


def crowded(ring: str, count: int, **marks: bool) -> list[CirclePerson]:
    return [P(100 + n, f"Friend {n}", "Friend", ring, **marks) for n in range(count)]


ALL_RENDERINGS = {
    "circle": circle(),
    "circle crowded": circle([*PEOPLE, *crowded("inner", 9), *crowded("middle", 12)]),
    "circle empty": circle([]),
    "circle hostile": circle(
        [P(1, HOSTILE, HOSTILE, "inner", conflict=True)], client_label=HOSTILE, title=HOSTILE
    ),
    "timeline": line(),
    "timeline narrow": line(width=360),
    "timeline no onset": line(onset=None, mood=[]),
    "timeline empty": line([]),
    "timeline hostile": line([TimelineEvent(ONSET, HOSTILE)], title=HOSTILE, mood_label=HOSTILE),
}


@pytest.mark.parametrize("svg", ALL_RENDERINGS.values(), ids=ALL_RENDERINGS.keys())
def test_it_renders_labelled_well_formed_svg_without_style_attributes(svg: str) -> None:
    root = parse(svg)
    assert root.get("role") == "img"
    assert "viewBox" in root.attrib
    assert root[0].tag == f"{NS}title" and text_of(root[0])
    assert root[1].tag == f"{NS}desc" and text_of(root[1])
    assert root.get("aria-labelledby") == f"{root[0].get('id')} {root[1].get('id')}"
    assert "style=" not in svg
    assert all("style" not in e.attrib for e in root.iter())


@pytest.mark.parametrize("svg", ALL_RENDERINGS.values(), ids=ALL_RENDERINGS.keys())
def test_its_text_is_legible_on_a_phone(svg: str) -> None:
    root = parse(svg)
    width = float(root.get("viewBox", "").split()[2])
    for element in find(root, "text"):
        # At most 400 units wide shown 360 px wide: 13 units are about 12 px.
        assert float(element.get("font-size", "")) >= 13
        assert width <= 400 or "timeline" in root.get("class", "")


# --- closeness circle ------------------------------------------------------------------------


def test_it_draws_one_marker_per_person_on_the_ring_they_chose() -> None:
    groups = people_groups(parse(circle()))
    assert sorted(groups) == [p.id for p in PEOPLE]
    by_ring = {
        ring: [distance(groups[p.id]) for p in PEOPLE if p.ring == ring]
        for ring in ("inner", "middle", "outer")
    }
    assert max(by_ring["inner"]) < min(by_ring["middle"])
    assert max(by_ring["middle"]) < min(by_ring["outer"])
    for ring, distances in by_ring.items():
        assert max(distances) - min(distances) < 1, ring
        assert all(f"circle-ring-{ring}" in groups[p.id].get("class", "") for p in PEOPLE if p.ring == ring)


def test_it_spreads_a_ring_evenly_round_the_centre() -> None:
    groups = people_groups(parse(circle(crowded("middle", 4))))
    angles = sorted(math.atan2(y - CENTRE, x - CENTRE) for x, y in map(marker_centre, groups.values()))
    gaps = [b - a for a, b in itertools.pairwise(angles)]
    assert gaps == pytest.approx([math.pi / 2] * 3, abs=0.45)


def test_its_labels_do_not_overlap_and_stay_inside() -> None:
    root = parse(circle([*PEOPLE, *crowded("inner", 3), *crowded("middle", 5), *crowded("outer", 4)]))
    boxes = []
    for element in find(root, "text", "circle-name"):
        x, y = float(element.get("x", "")), float(element.get("y", ""))
        half = len(text_of(element)) * 14 * 0.6 / 2
        boxes.append((x - half, y - 7, x + half, y + 7))
    for n, (left, top, right, bottom) in enumerate(boxes):
        assert left >= 0 and right <= 400 and top >= 0 and bottom <= 400
        for other in boxes[n + 1 :]:
            assert right <= other[0] or other[2] <= left or bottom <= other[1] or other[3] <= top


def test_it_groups_the_overflow_of_a_crowded_ring() -> None:
    people = [*crowded("inner", 12), P(1, "Mum", "Mother", "middle")]
    root = parse(circle(people))
    (more,) = find(root, "g", "circle-more")
    assert "circle-ring-inner" in more.get("class", "").split()
    shown = [g for g in people_groups(root).values() if "circle-ring-inner" in g.get("class", "")]
    hidden = int(more.get("data-count", ""))
    assert len(shown) + hidden == 12
    assert 3 <= len(shown) < 12
    assert f"+{hidden} more" in texts(root, "circle-name")
    hidden_names = [p.name for p in people[:12] if p.id not in people_groups(root)]
    assert title_of(more) == f"{hidden} more in the inner ring: {', '.join(hidden_names)}"
    assert f"Grouped as +{hidden} more in the inner ring: {', '.join(hidden_names)}." in desc(root)
    assert all(f"Friend {n} (Friend)" in desc(root) for n in range(12))
    assert "+N more: grouped to save room" in texts(root, "circle-legend-label")


def test_it_keeps_marked_people_visible_when_a_ring_overflows() -> None:
    people = [*crowded("inner", 10), P(1, "Mum", "Mother", "inner", conflict=True)]
    groups = people_groups(parse(circle(people)))
    assert 1 in groups
    assert len(groups) < 11


def test_it_leaves_the_legend_without_the_overflow_key_when_nothing_overflows() -> None:
    root = parse(circle())
    assert find(root, "g", "circle-more") == []
    assert not any("more" in t for t in texts(root, "circle-legend-label"))


@pytest.mark.parametrize(
    ("person_id", "classes", "symbols", "title"),
    [
        (
            1,
            {"circle-conflict", "circle-changed"},
            "⚡Δ",
            "Mum (Mother) — inner ring — in conflict, changed recently",
        ),
        (2, {"circle-conflict"}, "⚡", "Dan (Partner) — inner ring — in conflict"),
        (3, {"circle-lost"}, "†", "Grandad Joe (Grandfather) — inner ring — lost (died or ended)"),
        (5, {"circle-changed"}, "Δ", "Dad (Father) — middle ring — changed recently"),
        (4, set(), "", "Amy (Sister) — inner ring"),
    ],
)
def test_it_marks_conflict_change_and_loss_with_shapes_and_words(
    person_id: int, classes: set[str], symbols: str, title: str
) -> None:
    group = people_groups(parse(circle()))[person_id]
    marks = {"circle-conflict", "circle-changed", "circle-lost"}
    assert set(group.get("class", "").split()) & marks == classes
    assert title_of(group) == title
    assert [text_of(e) for e in find(group, "text", "circle-symbols")] == ([symbols] if symbols else [])
    (marker,) = [e for e in group if "circle-marker" in e.get("class", "").split()]
    assert marker.tag == (f"{NS}polygon" if "circle-conflict" in classes else f"{NS}circle")
    assert marker.get("fill") == ("#ffffff" if "circle-lost" in classes else "#1a1a1a")
    dashed = [e for e in group if e.get("stroke-dasharray")]
    assert bool(dashed) is ("circle-changed" in classes)


def test_its_legend_names_every_mark() -> None:
    legend = texts(parse(circle()), "circle-legend-label")
    assert legend == [
        "person",
        "⚡ in conflict",
        "⚡⚡ in serious conflict",
        "Δ changed recently",
        "† lost (died or ended)",
    ]


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("Grandmother Rose", ["Grandmother", "Rose"]),  # cut to "Grandmo…" before
        ("Aunt Margaret", ["Aunt", "Margaret"]),
        ("Bartholomew-Featherstonehaugh", ["Bartholomew-", "Featherstone", "haugh"]),
        ("Dr Okafor", ["Dr Okafor"]),
    ],
)
def test_it_wraps_long_names_instead_of_cutting_them(name: str, lines: list[str]) -> None:
    root = parse(circle([P(1, name, "Godfather", "outer")]))
    (group,) = people_groups(root).values()
    labels = find(group, "text", "circle-name")
    assert [text_of(label) for label in labels] == lines
    assert all(len(line) <= NAME_CHARS for line in lines)
    assert title_of(group).startswith(name)
    assert name in desc(root)


def test_only_a_name_longer_than_its_lines_ends_in_an_ellipsis() -> None:
    name = "x" * 100  # 100 characters without a space
    root = parse(circle([P(1, name, "", "outer")]))
    (group,) = people_groups(root).values()
    shown = [text_of(label) for label in find(group, "text", "circle-name")]
    assert len(shown) == 3 and shown[-1].endswith("…")
    assert title_of(group).startswith(name) and name in desc(root)


def test_serious_and_some_conflict_differ_in_shape_symbol_and_words() -> None:
    root = parse(
        circle(
            [
                P(1, "Dan", "Partner", "inner", serious_conflict=True),
                P(2, "Kev", "Boss", "inner", conflict=True),
            ]
        )
    )
    groups = people_groups(root)
    serious, some = groups[1], groups[2]
    assert "circle-serious" in serious.get("class", "") and "circle-serious" not in some.get("class", "")
    assert find(serious, "circle", "circle-serious-outline") and not find(
        some, "circle", "circle-serious-outline"
    )
    assert texts(serious, "circle-symbols") == ["⚡⚡"] and texts(some, "circle-symbols") == ["⚡"]
    assert title_of(serious).endswith("in serious conflict") and title_of(some).endswith("in conflict")
    assert "Dan (Partner) — in serious conflict" in desc(root)


def _marker_box(group: ET.Element) -> tuple[float, float, float, float]:
    x, y = marker_centre(group)
    reach = 15.0 if find(group, "circle", "circle-serious-outline") else 12.5
    return (x - reach, y - reach, x + reach, y + reach)


def _label_boxes(group: ET.Element) -> list[tuple[float, float, float, float]]:
    boxes = []
    for element in find(group, "text", "circle-name"):
        x, y = float(element.get("x", "")), float(element.get("y", ""))
        half = len(text_of(element)) * 14 * 0.6 / 2
        boxes.append((x - half, y - 7, x + half, y + 7))
    return boxes


@pytest.mark.parametrize("extra", [0, 3, 6])
def test_markers_never_overlap_a_name(extra: int) -> None:
    marked = [
        P(50 + n, f"Cousin {n}", "Cousin", "inner", serious_conflict=True, changed_recently=True)
        for n in range(2)
    ]
    people = [*PEOPLE, *marked, *crowded("middle", extra), *crowded("outer", extra)]
    groups = list(people_groups(parse(circle(people))).values())
    for group in groups:
        left, top, right, bottom = _marker_box(group)
        for other in groups:
            for box in _label_boxes(other):
                assert right <= box[0] or box[2] <= left or bottom <= box[1] or box[3] <= top, (
                    title_of(group),
                    title_of(other),
                )


def test_it_escapes_names_from_users() -> None:
    svg = ALL_RENDERINGS["circle hostile"]
    assert "<script" not in svg
    root = parse(svg)
    (group,) = people_groups(root).values()
    assert title_of(group).startswith(f"{HOSTILE} ({HOSTILE})")
    assert text_of(root[0]) == HOSTILE


def test_it_describes_the_circle_in_words() -> None:
    text = desc(parse(circle()))
    assert text.startswith(
        "Closeness circle with Sam in the centre. Inner ring: Mum (Mother) — in conflict, changed recently;"
    )
    assert "Outer ring: Kev (Manager) — in conflict; Lena (Neighbour);" in text
    assert "Middle ring: no one." in desc(parse(circle([P(1, "Mum", "Mother", "inner")])))


def test_it_says_when_no_one_is_recorded() -> None:
    root = parse(circle([]))
    (empty,) = find(root, "text", "circle-empty")
    assert text_of(empty) == "No people recorded yet"
    assert empty.get("text-anchor") == "middle"
    assert find(root, "g", "circle-person") == []


def test_it_translates_its_own_words() -> None:
    root = parse(circle(gettext=lambda message: message if "{" in message else message.upper()))
    assert "INNER" in texts(root, "circle-ring-label")
    assert title_of(people_groups(root)[4]) == "Amy (Sister) — INNER RING"


def test_it_refuses_an_unknown_ring_and_a_bad_id() -> None:
    with pytest.raises(ValueError, match="ring"):
        P(1, "Mum", "Mother", "closest")
    with pytest.raises(ValueError, match="chart_id"):
        circle(chart_id="not an id")


# --- timeline --------------------------------------------------------------------------------


def event_groups(root: ET.Element) -> dict[int, ET.Element]:
    return {int(g.get("data-event-id", "")): g for g in find(root, "g", "timeline-event")}


def event_x(group: ET.Element) -> float:
    (marker,) = find(group, "circle", "timeline-marker")
    return float(marker.get("cx", ""))


def test_it_places_events_in_date_order() -> None:
    groups = event_groups(parse(line()))
    by_date = sorted(EVENTS, key=lambda e: e.on)
    xs = [event_x(groups[e.id]) for e in by_date if e.id is not None]
    assert len(xs) == len(EVENTS)
    assert xs == sorted(xs)
    assert len(set(xs)) == len(xs)


def test_it_draws_the_onset_line_to_scale() -> None:
    start, end = date(2026, 1, 1), date(2026, 1, 31)
    root = parse(
        line([TimelineEvent(start, "A", 1)], start=start, end=end, onset=date(2026, 1, 16), width=640)
    )
    (onset,) = drawn(root, "line", "timeline-onset")
    assert float(onset.get("x1", "")) == pytest.approx(30 + (640 - 16 - 30) / 2, abs=0.1)
    assert onset.get("x1") == onset.get("x2")
    assert "Onset: 2026-01-16" in texts(root, "timeline-onset-label")


def test_it_shades_and_flags_the_events_near_the_onset() -> None:
    root = parse(line(near_days=30))
    near = {i for i, g in event_groups(root).items() if "timeline-event-near" in g.get("class", "").split()}
    assert near == {6, 7, 8}  # 20 Feb, 1 Mar and 2 Apr lie within 30 days of 17 Mar
    assert "Near the onset (within 30 days): Funeral (2026-02-20); Dan moved out (2026-03-01); " in desc(root)
    assert title_of(event_groups(root)[7]) == "Dan moved out — 2026-03-01 — near the onset"
    assert title_of(event_groups(root)[5]) == "Grandad Joe died — 2026-02-03"
    (band,) = drawn(root, "rect", "timeline-near")
    (onset,) = drawn(root, "line", "timeline-onset")
    per_day = (640 - 16 - 30) / (END - START).days
    assert float(band.get("width", "")) == pytest.approx(60 * per_day, abs=0.2)
    assert float(band.get("x", "")) + float(band.get("width", "")) / 2 == pytest.approx(
        float(onset.get("x1", "")), abs=0.2
    )
    bold = [e for e in find(root, "text", "timeline-event-label") if e.get("font-weight") == "bold"]
    assert len(bold) == 3


def test_it_staggers_labels_so_they_do_not_overlap() -> None:
    for width in (640, 360):
        root = parse(line(width=width))
        boxes = []
        for element in find(root, "text", "timeline-event-label"):
            x, y = float(element.get("x", "")), float(element.get("y", ""))
            half = len(text_of(element)) * 13 * 0.6 / 2
            assert x - half >= 0 and x + half <= width
            boxes.append((y, x - half, x + half))
        for n, (y, left, right) in enumerate(boxes):
            for other_y, other_left, other_right in boxes[n + 1 :]:
                assert abs(y - other_y) >= 13 or right <= other_left or other_right <= left


def test_it_draws_mood_as_a_line_of_the_scores_in_the_period() -> None:
    outside = MoodPoint(date(2027, 1, 1), 3, 27)
    root = parse(line(mood=[*MOOD, outside]))
    (polyline,) = find(root, "polyline", "timeline-mood-line")
    points = [tuple(map(float, pair.split(","))) for pair in polyline.get("points", "").split()]
    assert len(points) == len(MOOD)
    assert [x for x, _ in points] == sorted(x for x, _ in points)
    ys = [y for _, y in points]
    assert ys[0] < ys[-1]  # 19 is drawn higher than 9
    assert len(find(root, "circle", "timeline-mood-point")) == len(MOOD)
    assert "Mood: PHQ-9 total, 0–27 (higher is worse)" in texts(root, "timeline-mood-label")
    assert "PHQ-9 total: 19 on 2026-04-10, 17 on 2026-04-24" in desc(root)


def test_it_leaves_out_the_mood_strip_without_scores() -> None:
    root = parse(line(mood=[]))
    assert find(root, "polyline") == []
    assert texts(root, "timeline-mood-label") == []


def test_it_marks_months_and_years_on_the_axis() -> None:
    ticks = texts(parse(line()), "timeline-tick")
    assert "Jan" in ticks and "Mar" in ticks
    assert ticks.count("2025") == 1 and ticks.count("2026") == 1


def test_it_says_when_there_is_no_onset_or_it_lies_outside() -> None:
    root = parse(line(onset=None))
    assert drawn(root, "line", "timeline-onset") == []
    assert find(root, "g", "timeline-event-near") == []
    assert "No onset date is recorded." in desc(root)
    outside = parse(line(onset=date(2024, 6, 1)))
    assert drawn(outside, "line", "timeline-onset") == []
    assert "The onset, 2024-06-01, lies outside the period shown." in desc(outside)


def test_it_counts_events_outside_the_period() -> None:
    early = TimelineEvent(date(2020, 1, 1), "School", 99)
    root = parse(line([*EVENTS, early]))
    assert 99 not in event_groups(root)
    assert "Events outside the period shown: 1." in desc(root)


def test_it_says_when_no_events_are_recorded() -> None:
    root = parse(line([]))
    assert texts(root) == ["No life events recorded yet"]
    assert desc(root) == "No life events recorded yet"


def test_it_escapes_event_labels_and_formats_dates_as_told() -> None:
    svg = line([TimelineEvent(ONSET, HOSTILE, 1)], format_date=lambda d: d.strftime("%-d %b %Y"))
    assert "<script" not in svg
    root = parse(svg)
    assert title_of(event_groups(root)[1]) == f"{HOSTILE} — 17 Mar 2026 — near the onset"
    assert "Onset: 17 Mar 2026" in texts(root, "timeline-onset-label")


def test_it_refuses_an_empty_period_negative_days_and_an_empty_scale() -> None:
    with pytest.raises(ValueError, match="end after it starts"):
        line(start=END, end=END)
    with pytest.raises(ValueError, match="near_days"):
        line(near_days=-1)
    with pytest.raises(ValueError, match="max_value"):
        MoodPoint(ONSET, 3, 0)


def test_it_grows_taller_instead_of_overlapping_when_events_crowd() -> None:
    many = [TimelineEvent(ONSET + timedelta(days=n), f"Event {n}", n) for n in range(8)]
    root = parse(line(many, width=360))
    ys = {float(e.get("y", "")) for e in find(root, "text", "timeline-event-label")}
    assert len(ys) == 8
