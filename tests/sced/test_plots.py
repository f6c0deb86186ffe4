"""The SCED graph and the randomization histogram: valid files, the right lines, no pyplot."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sced import plots
from tests.sced.reference import reference_datasets

REPO = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

AB = [("A", [6, 7, 7, 7, 6, 7]), ("B", [5, 3, 4, 4, 3, 5, 5, 4])]
ABAB = [
    ("A1", [7, 5, 7, 7, 7]),
    ("B1", [3, 4, 4, 5, 4, 3]),
    ("A2", [7, 6, 7, 7, 8]),
    ("B2", [4, 3, 3, 4, 1, 3]),
]
MBD = [
    ("walking", [("A", [21, 12, 6, 9]), ("B", [18, 34, 28, 25, 30, 25, 29, 22])]),
    ("stretching", [("A", [4, 5, 9, 7, 5, 4, 5, 6]), ("B", [10, 14, 10, 7])]),
    ("household", [("A", [24, 23, 35, 25, 41, 31, 24, 40, 32, 29]), ("B", [56, 55])]),
]


@pytest.fixture(scope="module")
def datasets() -> dict[str, dict[str, Any]]:
    return reference_datasets()


def _phase_lines(fig: Any) -> list[list[float]]:
    """x positions of the phase-change lines, per panel."""
    return [
        [line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == plots.PHASE_LINE_GID]
        for ax in fig.axes
        if ax.get_lines()
    ]


def _svg_ok(svg: bytes) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    return root


@pytest.mark.parametrize("data", [AB, ABAB, MBD], ids=["AB", "ABAB", "MBD"])
def test_png_and_svg_are_valid_files(data: Any) -> None:
    out = plots.render_sced_plot(
        data,
        measure_name="Pain",
        unit="NRS 0–10",
        y_range=(0, 60),
        improvement="decrease",
        trend="ols",
        stability_envelope=True,
        cdc=True,
        title="Test",
    )
    assert set(out) == {"png", "svg"}
    assert out["png"].startswith(PNG_MAGIC)
    _svg_ok(out["svg"])


def test_one_phase_line_per_phase_change() -> None:
    fig = plots.build_sced_figure(AB, measure_name="Pain", y_range=(0, 10), improvement="decrease")
    assert _phase_lines(fig) == [[6.5]]  # between session 6 (last A) and 7 (first B)
    fig = plots.build_sced_figure(
        ABAB, measure_name="Pain", y_range=(0, 10), improvement="decrease"
    )
    assert _phase_lines(fig) == [[5.5, 11.5, 16.5]]


def test_multiple_baseline_panels_are_staggered_on_a_shared_axis(datasets: dict[str, Any]) -> None:
    ds = datasets["sced24"]
    tiers = [(t["tier"], [(p["label"], p["values"]) for p in t["phases"]]) for t in ds["tiers"]]
    fig = plots.build_sced_figure(
        tiers, measure_name="Activity", unit="min", y_range=(0, 60), improvement="increase"
    )
    expected = [[t["b_start_session"] - 0.5] for t in ds["tiers"]]  # 4.5, 8.5, 12.5
    assert _phase_lines(fig) == expected
    panels = [ax for ax in fig.axes if ax.get_lines()]
    assert len(panels) == 3
    assert len({ax.get_xlim() for ax in panels}) == 1  # shared session axis
    assert [ax.get_title(loc="left") for ax in panels] == ["walking", "stretching", "household"]


def test_y_axis_spans_the_measure_range() -> None:
    fig = plots.build_sced_figure(AB, measure_name="Pain", y_range=(0, 10), improvement="decrease")
    lo, hi = fig.axes[0].get_ylim()
    # The full 0–10 scale is shown although the data only span 3–7; a small margin keeps points
    # on 0 or 10 visible.
    assert lo <= 0
    assert hi >= 10
    assert hi - lo <= 10 * 1.1
    fig = plots.build_sced_figure(AB, measure_name="Pain", improvement="decrease")
    lo, hi = fig.axes[0].get_ylim()
    assert 2 < lo < 3  # without a range: the data's own
    assert 7 < hi < 8


@pytest.mark.parametrize(
    ("improvement", "text"), [("increase", "better ↑"), ("decrease", "better ↓")]
)
def test_direction_of_improvement_is_labelled(improvement: str, text: str) -> None:
    fig = plots.build_sced_figure(AB, measure_name="x", improvement=improvement)
    labels = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert text in labels


def test_level_and_trend_lines_are_drawn_per_phase() -> None:
    fig = plots.build_sced_figure(
        AB, measure_name="x", improvement="decrease", level="median", trend="split_middle"
    )
    ax = fig.axes[0]
    medians = sorted(
        seg[0][1] for coll in ax.collections for seg in coll.get_segments() if len(seg) == 2
    )
    assert medians == [4.0, 7.0]  # phase medians of B and A
    fig = plots.build_sced_figure(
        AB, measure_name="x", improvement="decrease", level=None, trend=None
    )
    assert not fig.axes[0].collections


@pytest.mark.parametrize("dataset_id", ["sced02", "sced07", "sced13"])
@pytest.mark.parametrize(
    ("trend", "key"), [("ols", "ols"), ("split_middle", "split_middle"), ("theil_sen", "theil_sen")]
)
def test_drawn_trend_lines_are_the_reference_lines(
    datasets: dict[str, Any], dataset_id: str, trend: str, key: str
) -> None:
    ds = datasets[dataset_id]
    aids = ds["results"]["A-B"]["visual_aids"]
    phases = [(p["label"], p["values"]) for p in ds["phases"]]
    fig = plots.build_sced_figure(
        phases, measure_name="x", improvement=ds["improvement"], trend=trend
    )
    drawn = [line for line in fig.axes[0].get_lines() if line.get_gid() == "trend"]
    assert len(drawn) == 2
    for line, phase_key in zip(drawn, ("phase_A", "phase_B"), strict=True):
        t, y = line.get_xdata(), line.get_ydata()
        ref = aids[phase_key][key]  # global session numbers (sced.md §3)
        assert list(y) == pytest.approx([ref["intercept"] + ref["slope"] * x for x in t], abs=1e-9)


def test_cdc_lines_follow_the_reference_decision_rule(datasets: dict[str, Any]) -> None:
    ds = datasets["sced02"]  # decrease: lines shifted down by 0.25 SD of the baseline
    phases = [(p["label"], p["values"]) for p in ds["phases"]]
    fig = plots.build_sced_figure(
        phases, measure_name="x", improvement="decrease", level=None, cdc=True
    )
    a = np.asarray(ds["phases"][0]["values"], float)
    ols = ds["results"]["A-B"]["visual_aids"]["phase_A"]["ols"]
    shift = 0.25 * a.std(ddof=1)
    gids = {ln.get_gid(): ln for ln in fig.axes[0].get_lines()}
    mean_line, trend_line = gids["cdc-mean"], gids["cdc-trend"]
    assert list(mean_line.get_ydata()) == pytest.approx([a.mean() - shift] * 2)
    xs = trend_line.get_xdata()
    assert list(trend_line.get_ydata()) == pytest.approx(
        [ols["intercept"] + ols["slope"] * x - shift for x in xs]
    )
    assert xs[0] == pytest.approx(len(a) + 0.5)  # drawn over the B phase only


def test_svg_names_the_phase_change_lines() -> None:
    svg = plots.render_sced_plot(ABAB, measure_name="x", improvement="decrease", formats=("svg",))[
        "svg"
    ]
    root = _svg_ok(svg)
    ids = [el.get("id") for el in root.iter() if el.get("id", "").startswith(plots.PHASE_LINE_GID)]
    assert len(ids) == 3


def test_randomization_plot_marks_observed_and_counted_assignments() -> None:
    dist = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 5.0, 6.0]
    fig = plots.build_randomization_figure(dist, 5.0, 3 / 8, method="exact")
    ax = fig.axes[0]
    observed = [line for line in ax.get_lines() if line.get_gid() == "observed"]
    assert len(observed) == 1
    assert observed[0].get_xdata()[0] == 5.0
    hot = plots.OKABE_ITO["vermillion"].lower()
    from matplotlib.colors import to_hex

    counted = [c for c in ax.collections if to_hex(c.get_facecolor()[0]) == hot]
    # the three assignments with T >= 5 (p = 3/8): one marker each, drawn as one collection
    assert sum(len(c.get_offsets()) for c in counted) == 3
    assert any("3/8" in t.get_text() for t in ax.texts)

    big = np.random.default_rng(0).normal(size=2000)
    out = plots.render_randomization_plot(big, 2.5, 0.006, method="monte_carlo")
    assert out["png"].startswith(PNG_MAGIC)
    _svg_ok(out["svg"])


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="Unsupported image format"):
        plots.render_sced_plot(AB, measure_name="x", improvement="increase", formats=("pdf",))
    with pytest.raises(ValueError, match="no values"):
        plots.render_sced_plot([("A", [1, 2]), ("B", [])], measure_name="x", improvement="increase")
    with pytest.raises(ValueError, match="improvement"):
        plots.render_sced_plot(AB, measure_name="x", improvement="up")
    with pytest.raises(ValueError, match="empty"):
        plots.render_randomization_plot([], 1.0, 1.0)


def test_plots_never_touch_pyplot_state() -> None:
    source = (REPO / "sced" / "plots.py").read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    assert not any("pyplot" in name for name in imported)
    assert not any(name.startswith("django") for name in imported)

    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plots.render_sced_plot(MBD, measure_name="x", improvement="increase")
    plots.render_randomization_plot([1.0, 2.0, 3.0], 3.0, 1 / 3)
    assert plt.get_fignums() == before


def test_same_data_give_the_same_svg() -> None:
    one = plots.render_sced_plot(AB, measure_name="x", improvement="increase", formats=("svg",))
    two = plots.render_sced_plot(AB, measure_name="x", improvement="increase", formats=("svg",))
    assert one == two


# A diary with missed days: sessions 3 and 7 have no value.
GAPPED = [("A", [6, 7, 7, 6], [1, 2, 4, 5]), ("B", [5, 3, 4, 4], [6, 8, 9, 10])]


def _plotted(ax: Any) -> tuple[list[float], list[list[float]]]:
    """(every value's x position, the x data of each drawn data path) of one panel."""
    paths = [list(ln.get_xdata()) for ln in ax.get_lines() if ln.get_gid() == plots.VALUES_GID]
    return [x for path in paths for x in path], paths


def test_each_value_sits_at_its_session_and_a_missed_session_leaves_a_gap() -> None:
    fig = plots.build_sced_figure(
        GAPPED, measure_name="Pain", y_range=(0, 10), improvement="decrease", trend="ols"
    )
    ax = fig.axes[0]
    xs, paths = _plotted(ax)
    assert xs == [1, 2, 4, 5, 6, 8, 9, 10]  # the sessions, not positions 1..8
    # No line crosses session 3 or 7: every drawn path runs over consecutive sessions only.
    assert all(np.all(np.diff(path) == 1) for path in paths)
    assert [p for p in paths if 3 in range(int(p[0]), int(p[-1]) + 1)] == []
    assert _phase_lines(fig) == [[5.5]]  # before B's first value (session 6)
    # Trend lines are fitted and drawn on the sessions too, from each phase's first to last.
    trends = [list(ln.get_xdata()) for ln in ax.get_lines() if ln.get_gid() == "trend"]
    assert trends == [[1, 5], [6, 10]]
    assert ax.get_xlim()[1] == pytest.approx(10.6)
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks
    assert all(float(t).is_integer() for t in ticks)


def test_one_or_two_sessions_still_get_whole_number_ticks() -> None:
    fig = plots.build_sced_figure(
        [("A", [6.0]), ("B", [4.0])], measure_name="Pain", improvement="decrease"
    )
    ax = fig.axes[0]
    fig.canvas.draw()
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
    assert ticks == [1.0, 2.0]


def test_multiple_baseline_panels_keep_their_missed_sessions() -> None:
    tiers = [
        ("walking", [("A", [21, 12, 9], [1, 2, 4]), ("B", [30, 25, 29], [5, 6, 7])]),
        ("stretching", [("A", [4, 5, 9, 7], [1, 2, 3, 4]), ("B", [10, 14], [6, 9])]),
    ]
    fig = plots.build_sced_figure(tiers, measure_name="min", improvement="increase")
    panels = [ax for ax in fig.axes if ax.get_lines()]
    assert [_plotted(ax)[0] for ax in panels] == [[1, 2, 4, 5, 6, 7], [1, 2, 3, 4, 6, 9]]
    assert panels[0].get_xlim() == pytest.approx((0.4, 9.6))  # the longer tier ends at 9


def test_sessions_that_do_not_rise_are_refused() -> None:
    with pytest.raises(ValueError, match="sessions must rise"):
        plots.build_sced_figure(
            [("A", [1, 2], [1, 3]), ("B", [3, 4], [3, 4])], measure_name="x", improvement="increase"
        )


MATH = ["$\\frac{", "$x$ and $\\frac{$", "costs $5 or $6", "back\\$slash"]


@pytest.mark.parametrize("text", MATH)
def test_user_text_is_drawn_literally_never_as_mathtext(text: str) -> None:
    from matplotlib.cbook import is_math_text

    tiers = [(text, [(text, [1, 2, 3]), ("B", [4, 5, 6])]), ("two", AB)]
    for data in (tiers, [(text, [1.0, 2, 3]), ("B", [4.0, 5, 6])]):
        fig = plots.build_sced_figure(
            data, measure_name=text, unit=text, title=text, improvement="increase", x_label=text
        )
        out = plots._export(fig, ("png", "svg"))  # drawing would raise on bad mathtext
        assert out["png"].startswith(PNG_MAGIC)
        texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
        assert not any(is_math_text(t) for t in texts)
    fig = plots.build_randomization_figure(
        [1.0, 2, 3], 2.0, 2 / 3, statistic_label=text, title=text
    )
    plots._export(fig, ("png",))
