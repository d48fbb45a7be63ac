"""The server-side SVG charts: well-formed, labelled for screen readers, text escaped."""

import xml.etree.ElementTree as ET

import pytest

from reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    return ET.fromstring(str(svg))


def test_the_target_bar_is_filled_to_the_ratio_and_marks_the_target():
    root = parse(
        charts.target_bar(
            ratio=0.5, target=0.8, value_label="1/2 · 50%", target_label="Mục tiêu 80%", label="x"
        )
    )
    rects = root.findall(f"{SVG}rect")
    line = root.find(f"{SVG}line")

    assert float(rects[1].get("width")) == float(rects[0].get("width")) / 2
    assert rects[1].get("fill") == charts.BAD  # below the target
    track_x, track_w = float(rects[0].get("x")), float(rects[0].get("width"))
    assert float(line.get("x1")) == pytest.approx(track_x + 0.8 * track_w)
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == "x"


def test_the_target_bar_is_green_when_the_target_is_met():
    root = parse(
        charts.target_bar(ratio=14 / 17, target=0.8, value_label="", target_label="", label="")
    )

    assert root.findall(f"{SVG}rect")[1].get("fill") == charts.GOOD


def test_chart_text_is_escaped():
    svg = charts.hbar_chart(items=[('<script>alert("x")</script>', 3, "3")], label="A & B")

    assert "<script>" not in str(svg)
    root = parse(svg)
    assert root.get("aria-label") == "A & B"
    assert root.find(f"{SVG}text").text == '<script>alert("x")</script>'


def test_the_unit_tiles_have_one_tile_per_unit_named_on_hover():
    units = [(f"Xã {n}", n % 3 != 0) for n in range(60)]
    root = parse(charts.unit_tiles(units=units, yes="đạt", no="chưa đạt", label="Đơn vị"))
    tiles = root.findall(f"{SVG}g")

    assert len(tiles) == 60
    assert tiles[0].find(f"{SVG}title").text == "Xã 0 — chưa đạt"
    assert tiles[1].find(f"{SVG}rect").get("fill") == charts.GOOD


def test_the_stacked_columns_stack_each_year_to_its_total():
    root = parse(
        charts.stacked_columns(
            categories=["2023", "2024"], series=[("A", [1, 2]), ("B", [3, 0])], label="Hướng"
        )
    )
    bars = [g.find(f"{SVG}rect") for g in root.findall(f"{SVG}g")]

    assert len(bars) == 3  # the zero is not drawn
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[0] + heights[1] == 220  # 2023 is the tallest column: the full plot height
    assert heights[2] == 220 * 2 / 4
