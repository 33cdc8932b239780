import itertools
import xml.etree.ElementTree as ET

import pytest

from openipt.lib.charts import BandShade, Point, Series, sparkline, trend_chart

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>"

PHQ9_BANDS = [
    BandShade(0, 4, "minimal", "band-minimal"),
    BandShade(5, 9, "mild", "band-mild"),
    BandShade(10, 14, "moderate", "band-moderate"),
    BandShade(15, 19, "moderately severe", "band-moderately-severe"),
    BandShade(20, 27, "severe", "band-severe"),
]


def sessions(name: str, *values: int) -> Series:
    return Series(name, [Point(f"S{n}", value, n, f"session {n}") for n, value in enumerate(values, 1)])


def chart(*series: Series, **kwargs: object) -> str:
    options: dict[str, object] = {"max_value": 27, "bands": PHQ9_BANDS, "title": "PHQ-9 scores"}
    return trend_chart(series, **(options | kwargs))  # type: ignore[arg-type]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check that it is well formed
    assert root.tag == f"{NS}svg"
    return root


def find(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    found = root.iter(f"{NS}{tag}")
    return [e for e in found if cls is None or cls in e.get("class", "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in find(root, "text")]


def coords(polyline: ET.Element) -> list[tuple[float, float]]:
    pairs = [pair.split(",") for pair in polyline.get("points", "").split()]
    return [(float(x), float(y)) for x, y in pairs]


def marker_centre(marker: ET.Element) -> tuple[float, float]:
    if marker.tag == f"{NS}circle":
        return float(marker.get("cx", "")), float(marker.get("cy", ""))
    return float(marker.get("x", "")) + 4, float(marker.get("y", "")) + 4


ALL_RENDERINGS = {
    "two series": chart(sessions("PHQ-9", 18, 15, 12, 9), sessions("PHQ-9 app", 19, 14)),
    "one point": chart(sessions("PHQ-9", 12)),
    "empty": chart(),
    "empty series": chart(Series("PHQ-9", [])),
    "hostile": chart(sessions(HOSTILE, 3, 22), title=HOSTILE),
    "narrow": chart(sessions("PHQ-9", *range(27, 0, -1)), width=360),
    "sparkline": sparkline([18, 15, None, 9], 27, label="PHQ-9 trend"),
    "sparkline empty": sparkline([], 27, label="PHQ-9 trend"),
}


@pytest.mark.parametrize("svg", ALL_RENDERINGS.values(), ids=ALL_RENDERINGS.keys())
def test_it_renders_well_formed_svg_without_style_attributes(svg: str) -> None:
    root = parse(svg)
    assert root.get("role") == "img"
    assert "viewBox" in root.attrib
    assert all("style" not in e.attrib for e in root.iter())
    assert "style=" not in svg


@pytest.mark.parametrize("svg", ALL_RENDERINGS.values(), ids=ALL_RENDERINGS.keys())
def test_it_puts_a_title_first(svg: str) -> None:
    root = parse(svg)
    assert root[0].tag == f"{NS}title"
    assert root[0].text


def test_it_draws_one_polyline_point_per_score() -> None:
    root = parse(chart(sessions("PHQ-9", 18, 15, 12, 9, 7), sessions("GAD", 10, 8)))
    lines = [find(root, "polyline", f"chart-line-{n}")[0] for n in (1, 2)]
    assert [len(coords(line)) for line in lines] == [5, 2]
    assert len(find(root, "circle", "chart-marker-1")) == 5 + 1  # and one in the legend
    assert len(find(root, "rect", "chart-marker-2")) == 2 + 1


def test_it_draws_higher_scores_higher_up() -> None:
    values = [0, 27, 5, 20, 13, 9]
    (line,) = find(parse(chart(sessions("PHQ-9", *values))), "polyline")
    ys = [y for _, y in coords(line)]
    by_value = [y for _, y in sorted(zip(values, ys, strict=True))]
    assert by_value == sorted(by_value, reverse=True)
    assert len(set(by_value)) == len(values)


def test_it_places_positions_to_scale_and_in_order() -> None:
    days = Series("GAD-7", [Point("31 Mar", 9, 28), Point("3 Mar", 15, 0), Point("10 Mar", 12, 7)])
    (line,) = find(parse(chart(days, max_value=21, bands=[])), "polyline")
    xs = [x for x, _ in coords(line)]
    assert xs == sorted(xs)
    assert (xs[2] - xs[1]) == pytest.approx(3 * (xs[1] - xs[0]), abs=0.2)


def test_it_keeps_scores_above_the_scale_inside_the_plot() -> None:
    root = parse(chart(sessions("PHQ-9", 40, 27)))
    (line,) = find(root, "polyline")
    assert coords(line)[0][1] == coords(line)[1][1]


def test_it_centres_a_single_point() -> None:
    root = parse(chart(sessions("PHQ-9", 12)))
    (line,) = find(root, "polyline")
    assert len(coords(line)) == 1
    (x_axis,) = find(root, "line", "chart-axis")
    middle = (float(x_axis.get("x1", "")) + float(x_axis.get("x2", ""))) / 2
    assert coords(line)[0][0] == pytest.approx(middle, abs=0.1)


def test_it_shades_each_band_and_names_it() -> None:
    root = parse(chart(sessions("PHQ-9", 12)))
    rects = find(root, "rect", "chart-band")
    assert [r.get("class") for r in rects] == [f"chart-band {b.tone}" for b in PHQ9_BANDS]
    labels = ["".join(e.itertext()) for e in find(root, "text", "chart-band-label")]
    assert labels == [b.label for b in PHQ9_BANDS]


def test_it_shades_bands_upwards_from_their_lower_bound() -> None:
    root = parse(chart(sessions("PHQ-9", 12)))
    tops = [float(r.get("y", "")) for r in find(root, "rect", "chart-band")]
    bottoms = [
        top + float(r.get("height", ""))
        for top, r in zip(tops, find(root, "rect", "chart-band"), strict=True)
    ]
    assert tops == sorted(tops, reverse=True)
    assert bottoms[1:] == pytest.approx(tops[:-1])


def test_it_wraps_long_band_names_on_a_narrow_chart() -> None:
    root = parse(chart(sessions("PHQ-9", 12), width=360))
    (severe,) = [e for e in find(root, "text", "chart-band-label") if "moderately" in "".join(e.itertext())]
    assert [span.text for span in severe] == ["moderately", "severe"]


def test_it_ticks_the_y_axis_at_band_boundaries() -> None:
    root = parse(chart(sessions("PHQ-9", 12)))
    ticks = {"".join(e.itertext()) for e in find(root, "text", "chart-tick")}
    assert {"0", "5", "10", "15", "20", "27"} <= ticks
    assert len(find(root, "line", "chart-grid")) == 6


def test_it_labels_the_x_axis_with_the_point_labels() -> None:
    root = parse(chart(sessions("PHQ-9", 18, 15, 12)))
    ticks = ["".join(e.itertext()) for e in find(root, "text", "chart-tick")]
    assert ticks[-3:] == ["S1", "S2", "S3"]


def test_it_labels_the_x_axis_with_given_labels() -> None:
    root = parse(chart(sessions("PHQ-9", 18, 15), x_labels=[(n, f"S{n}") for n in range(1, 9)]))
    ticks = ["".join(e.itertext()) for e in find(root, "text", "chart-tick")]
    assert ticks[-8:] == [f"S{n}" for n in range(1, 9)]
    (line,) = find(root, "polyline")
    (first, second) = coords(line)
    (axis,) = find(root, "line", "chart-axis")
    assert second[0] - first[0] < (float(axis.get("x2", "")) - float(axis.get("x1", ""))) / 4


def test_it_thins_crowded_x_labels_keeping_the_first_and_the_last() -> None:
    root = parse(chart(sessions("PHQ-9", *([10] * 40)), width=360))
    labels = [e for e in find(root, "text", "chart-tick") if e.get("text-anchor") == "middle"]
    names = ["".join(e.itertext()) for e in labels]
    assert 3 < len(names) < 40
    assert (names[0], names[-1]) == ("S1", "S40")
    xs = [float(e.get("x", "")) for e in labels]
    assert all(b - a > 20 for a, b in itertools.pairwise(xs))


def test_it_titles_each_point_with_series_when_score_and_band() -> None:
    root = parse(chart(sessions("PHQ-9", 18, 15, 12)))
    titles = [m[0].text for m in find(root, "circle", "chart-marker-1") if len(m)]
    assert titles == [
        "PHQ-9 session 1: 18 (moderately severe)",
        "PHQ-9 session 2: 15 (moderately severe)",
        "PHQ-9 session 3: 12 (moderate)",
    ]


def test_it_distinguishes_series_by_shape_and_names_them_in_a_legend() -> None:
    root = parse(chart(sessions("PHQ-9", 18, 15), sessions("PHQ-9 app", 17, 16)))
    (legend,) = find(root, "g", "chart-legend")
    assert texts(legend) == ["PHQ-9", "PHQ-9 app"]
    assert [m.tag for m in legend if "chart-marker" in m.get("class", "")] == [f"{NS}circle", f"{NS}rect"]
    dashes = [find(root, "polyline", f"chart-line-{n}")[0].get("stroke-dasharray") for n in (1, 2)]
    assert dashes[0] is None
    assert dashes[1]


SUMMARIES = [
    ((18, 15, 9), "first score 18 (moderately severe) at session 1; latest 9 (mild) at session 3; down 9"),
    ((4, 11), "first score 4 (minimal) at session 1; latest 11 (moderate) at session 2; up 7"),
    ((12, 3, 12), "first score 12 (moderate) at session 1; latest 12 (moderate) at session 3; no change"),
]


@pytest.mark.parametrize(
    ("values", "summary"),
    [(values, f"PHQ-9: {words} since the first.") for values, words in SUMMARIES]
    + [((22,), "PHQ-9: one score, 22 (severe) at session 1.")],
)
def test_it_summarises_the_scores_in_words(values: tuple[int, ...], summary: str) -> None:
    root = parse(chart(sessions("PHQ-9", *values), chart_id="phq9"))
    assert root.get("aria-labelledby") == "phq9-title phq9-desc"
    assert root.findtext(f"{NS}title") == "PHQ-9 scores"
    (desc,) = [e for e in root if e.tag == f"{NS}desc"]
    assert desc.get("id") == "phq9-desc"
    assert desc.text == summary


def test_it_summarises_every_series() -> None:
    root = parse(chart(sessions("PHQ-9", 18, 9), sessions("App", 20)))
    desc = root.findtext(f"{NS}desc") or ""
    assert desc.startswith("PHQ-9: first score 18")
    assert desc.endswith(". App: one score, 20 (severe) at session 1.")


def test_it_leaves_out_the_band_when_no_band_holds_the_score() -> None:
    root = parse(chart(sessions("Score", 3), bands=[BandShade(5, 9, "mild", "band-mild")]))
    assert root.findtext(f"{NS}desc") == "Score: one score, 3 at session 1."


def test_it_points_aria_at_ids_that_exist() -> None:
    root = parse(chart(sessions("PHQ-9", 18, 9)))
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    assert set(root.get("aria-labelledby", "").split()) == ids
    assert len(ids) == 2


def test_it_derives_different_ids_for_different_charts() -> None:
    first = parse(chart(sessions("PHQ-9", 18, 9))).get("aria-labelledby")
    again = parse(chart(sessions("PHQ-9", 18, 9))).get("aria-labelledby")
    other = parse(chart(sessions("PHQ-9", 18, 10))).get("aria-labelledby")
    assert first == again
    assert first != other


@pytest.mark.parametrize(
    "options",
    [
        {"chart_id": 'x" onload="alert(1)'},
        {"chart_id": "1abc"},
        {"max_value": 0},
        {"bands": [BandShade(0, 4, "minimal", "band-minimal danger")]},
    ],
)
def test_it_refuses_bad_options(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        chart(sessions("PHQ-9", 12), **options)


@pytest.mark.parametrize("series", [(), (Series("PHQ-9", []),), (Series("PHQ-9", []), Series("GAD-7", []))])
def test_it_says_when_there_are_no_scores(series: tuple[Series, ...]) -> None:
    root = parse(chart(*series))
    assert texts(root) == ["No scores yet"]
    assert root.findtext(f"{NS}desc") == "No scores yet"
    assert root.findtext(f"{NS}title") == "PHQ-9 scores"
    assert not find(root, "polyline")
    assert root.get("aria-labelledby", "").endswith("-desc")


def test_it_translates_its_own_words() -> None:
    root = parse(chart(gettext=str.upper))
    assert texts(root) == ["NO SCORES YET"]


@pytest.mark.parametrize(
    "where",
    ["title", "series", "band", "x_label", "long_label"],
)
def test_it_escapes_user_text(where: str) -> None:
    name = HOSTILE if where == "series" else "PHQ-9"
    point = Point(HOSTILE if where == "x_label" else "S1", 12, 1, HOSTILE if where == "long_label" else "")
    bands = [BandShade(10, 14, HOSTILE if where == "band" else "moderate", "band-moderate")]
    svg = chart(
        Series(name, [point, Point("S2", 10, 2)]), title=HOSTILE if where == "title" else "t", bands=bands
    )
    root = parse(svg)
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert not [e for e in root.iter() if "script" in e.tag]
    assert any(HOSTILE in "".join(e.itertext()) for e in root.iter())


# --- sparkline -------------------------------------------------------------------------------


def test_sparkline_is_labelled_for_screen_readers() -> None:
    root = parse(sparkline([18, 15, 12, 9], 27, label="PHQ-9 trend: 18, 15, 12, 9"))
    assert root.get("aria-label") == "PHQ-9 trend: 18, 15, 12, 9"
    assert root.findtext(f"{NS}title") == "PHQ-9 trend: 18, 15, 12, 9"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("96", "24", "0 0 96 24")


@pytest.mark.parametrize(
    ("values", "line_lengths", "dots"),
    [
        ([18, 15, 12, 9], [4], 0),
        ([18, None, 12, 9], [2], 1),
        ([18, 15, None, 9], [2], 1),
        ([None, 15, 12, None], [2], 0),
        ([18, None, 12, None, 9], [], 3),
        ([9], [], 1),
        ([None, 9], [], 1),
    ],
)
def test_sparkline_breaks_the_line_at_missed_scores(
    values: list[int | None], line_lengths: list[int], dots: int
) -> None:
    root = parse(sparkline(values, 27, label="trend"))
    assert [len(coords(line)) for line in find(root, "polyline", "sparkline-line")] == line_lengths
    assert len(find(root, "circle", "sparkline-point")) == dots
    assert len(find(root, "circle", "sparkline-last")) == 1


def test_sparkline_marks_the_last_score() -> None:
    root = parse(sparkline([18, 15, 9, None], 27, label="trend"))
    (line,) = find(root, "polyline")
    (last,) = find(root, "circle", "sparkline-last")
    assert marker_centre(last) == coords(line)[-1]


def test_sparkline_draws_higher_scores_higher_up() -> None:
    (line,) = find(parse(sparkline([0, 9, 27, 18], 27, label="trend")), "polyline")
    ys = [y for _, y in coords(line)]
    assert ys[0] > ys[1] > ys[3] > ys[2]
    assert all(0 <= y <= 24 for y in ys)


@pytest.mark.parametrize("values", [[], [None], [None, None]])
def test_sparkline_draws_a_dash_without_scores(values: list[int | None]) -> None:
    root = parse(sparkline(values, 27, label="PHQ-9: no scores yet"))
    assert len(find(root, "line", "sparkline-empty")) == 1
    assert not find(root, "polyline")
    assert not find(root, "circle")


def test_sparkline_escapes_its_label() -> None:
    label = HOSTILE + " \"quoted\" & 'single'"
    svg = sparkline([1, 2], 27, label=label)
    root = parse(svg)
    assert "<script" not in svg
    assert root.get("aria-label") == label
    assert root.findtext(f"{NS}title") == label


def test_sparkline_refuses_a_scale_without_room() -> None:
    with pytest.raises(ValueError):
        sparkline([1], 0, label="trend")
