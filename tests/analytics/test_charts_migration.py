"""Migration chart builders on small hand-made frames: the Sankey keeps the tier order (read from
the node positions), link values are the counts, heatmap axes run in tier order with new and
closed, Chinese labels, and a message (not an error) for an empty transition."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analytics import charts, migration
from analytics.i18n import tier_label
from analytics.rules import TIER_ORDER

SUB = "Snapshots 2026-08-31 → 2026-09-30 · Head office · Rules: default v1"

# (from, to) -> customers, AUM at from, AUM at to; rows deliberately out of order
CELLS = {
    ("private", "closed"): (1, 6e6, 0.0),
    ("mass", "mass"): (50, 1e6, 1.1e6),
    ("new", "emerging"): (4, 0.0, 4e5),
    ("affluent", "hnw"): (2, 1.9e6, 2.0e6),
    ("hnw", "affluent"): (3, 3.3e6, 2.7e6),
    ("emerging", "affluent"): (5, 9e5, 1.1e6),
    ("medium", "emerging_market"): (1, 5e5, 6e5),
    ("new", "small"): (2, 0.0, 1e5),
    ("small", "closed"): (1, 1e4, 0.0),
    ("affluent", "affluent"): (10, 4e6, 4.2e6),
}


def _counts(cells=CELLS) -> pd.DataFrame:
    rows = [
        dict(from_state=f, to_state=t, customers=n, aum_from=a, aum_to=b)
        for (f, t), (n, a, b) in cells.items()
    ]
    return pd.DataFrame(rows, columns=["from_state", "to_state", "customers", "aum_from", "aum_to"])


def _with_kinds(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(
        kind=[migration.move_kind(f, t) for f, t in zip(df["from_state"], df["to_state"], strict=True)]
    )


def _states(labels, lang="en") -> list[str]:
    """The states of node labels (``Affluent · 15``)."""
    by_label = {charts.state_label(s, lang): s for s in migration.STATES}
    return [by_label[label.split(" · ")[0]] for label in labels]


def test_constants_agree_with_the_analytics():
    assert charts.MIGRATION_FROM == migration.FROM_STATES
    assert charts.MIGRATION_TO == migration.TO_STATES
    assert set(charts.MOVE_COLOURS) == {*migration.MOVE_KINDS, "new"}
    assert charts.MIGRATION_SHOW == ("counts", "share", "aum")


# -- Sankey -----------------------------------------------------------------------------------------


def test_sankey_keeps_the_tier_order_on_both_sides():
    fig = charts.transition_sankey(_with_kinds(_counts()), subtitle=SUB)
    node = fig.data[0].node
    x, y, states = list(node.x), list(node.y), _states(node.label)
    assert fig.data[0].arrangement in ("fixed", "snap")
    assert all(0 < v < 1 for v in x + y)  # Plotly ignores a position of exactly 0
    left = [(yy, s) for xx, yy, s in zip(x, y, states, strict=True) if xx < 0.5]
    right = [(yy, s) for xx, yy, s in zip(x, y, states, strict=True) if xx > 0.5]
    # top to bottom (y grows downwards) the left column is FROM_STATES order, the right TO_STATES order
    assert [s for _, s in sorted(left)] == [s for s in migration.FROM_STATES if s in {f for f, _ in CELLS}]
    assert [s for _, s in sorted(right)] == [s for s in migration.TO_STATES if s in {t for _, t in CELLS}]
    assert [s for _, s in sorted(left)] == [
        "new",
        "mass",
        "emerging",
        "affluent",
        "hnw",
        "private",
        "medium",
        "small",
    ]
    assert [s for _, s in sorted(right)] == [
        "mass",
        "emerging",
        "affluent",
        "hnw",
        "small",
        "emerging_market",
        "closed",
    ]
    # every node's position is distinct within its column, so no two share a place
    assert len({yy for yy, _ in left}) == len(left) and len({yy for yy, _ in right}) == len(right)


def test_sankey_links_are_the_counts():
    fig = charts.transition_sankey(_with_kinds(_counts()))
    sankey = fig.data[0]
    states = _states(sankey.node.label)
    x = list(sankey.node.x)
    links = {}
    for s, t, v in zip(sankey.link.source, sankey.link.target, sankey.link.value, strict=True):
        assert x[s] < 0.5 < x[t]  # every link runs left to right
        links[(states[s], states[t])] = v
    assert links == {k: n for k, (n, _, _) in CELLS.items()}
    # node labels carry the column totals: affluent 10 + 2 out, 10 + 3 + 5 in
    labels = list(sankey.node.label)
    assert "Affluent · 12" in labels and "Affluent · 18" in labels
    # links coloured by the kind of move
    colours = dict(
        zip(zip(sankey.link.source, sankey.link.target, strict=True), sankey.link.color, strict=True)
    )
    index = {(("from" if x[i] < 0.5 else "to"), s): i for i, s in enumerate(states)}
    upgrade = colours[(index[("from", "emerging")], index[("to", "affluent")])]
    downgrade = colours[(index[("from", "hnw")], index[("to", "affluent")])]
    assert upgrade == charts._rgba(charts.MOVE_COLOURS["upgrade"], 0.45)
    assert downgrade == charts._rgba(charts.MOVE_COLOURS["downgrade"], 0.45)


def test_sankey_without_kinds_and_with_column_headings():
    fig = charts.transition_sankey(_counts(), from_label="From 2026-08-31", to_label="To 2026-09-30")
    assert len(fig.data[0].link.value) == len(CELLS)
    texts = [a.text for a in fig.layout.annotations]
    assert "<b>From 2026-08-31</b>" in texts and "<b>To 2026-09-30</b>" in texts


def test_column_positions_follow_the_order_and_stay_inside():
    ys = charts._column_positions([1, 1000, 5, 0.5])
    assert ys == sorted(ys) and all(0 < v < 1 for v in ys)
    assert charts._column_positions([7]) == [pytest.approx(0.5)]


# -- transition heatmap ----------------------------------------------------------------------------


def _grid(trace) -> dict[tuple[str, str], float]:
    return {
        (r, c): v for r, row in zip(trace.y, trace.z, strict=True) for c, v in zip(trace.x, row, strict=True)
    }


def test_heatmap_axes_in_tier_order_with_new_and_closed():
    fig = charts.transition_heatmap(_counts(), subtitle=SUB)
    trace = fig.data[0]
    tiers = ["mass", "emerging", "affluent", "hnw", "private", "medium", "small", "emerging_market"]
    assert list(trace.y) == ["New", *[tier_label(s) for s in tiers]]
    assert list(trace.x) == [*[tier_label(s) for s in tiers], "Closed"]
    assert fig.layout.yaxis.autorange == "reversed"  # New on top, then the tiers downwards
    grid = _grid(trace)
    for (f, t), (n, _, _) in CELLS.items():
        assert grid[(charts.state_label(f), charts.state_label(t))] == n
    assert sum(grid.values()) == sum(n for n, _, _ in CELLS.values())
    assert grid[("Mass", "Closed")] == 0
    assert fig.layout.title.text == f"Tier migration: customers<br><sup>{SUB}</sup>"
    # the diagonal (no move) is outlined: one box per tier
    assert len(fig.layout.shapes) == len(tiers)


def test_heatmap_row_shares_and_aum():
    share = _grid(charts.transition_heatmap(_counts(), show="share").data[0])
    assert share[("Affluent", "High net worth")] == pytest.approx(100 * 2 / 12)
    assert share[("Affluent", "Affluent")] == pytest.approx(100 * 10 / 12)
    assert share[("New", "Emerging")] == pytest.approx(100 * 4 / 6)
    rows = {}
    for (r, _), v in share.items():
        rows[r] = rows.get(r, 0.0) + v
    origins = {charts.state_label(f) for f, _ in CELLS}
    assert {r: v for r, v in rows.items() if r in origins} == {r: pytest.approx(100.0) for r in origins}
    assert all(v == 0 for r, v in rows.items() if r not in origins)  # a destination-only tier: an empty row
    fig = charts.transition_heatmap(_counts(), show="aum")
    aum = _grid(fig.data[0])
    assert fig.data[0].colorbar.title.text == "CNY M"
    assert aum[("Private banking", "Closed")] == pytest.approx(6.0)  # AUM at the earlier snapshot
    assert aum[("New", "Emerging")] == pytest.approx(0.4)  # new customers: AUM at the later one
    with pytest.raises(ValueError):
        charts.transition_heatmap(_counts(), show="nonsense")


def test_chinese_labels():
    fig = charts.transition_heatmap(_counts(), lang="zh")
    trace = fig.data[0]
    assert trace.y[0] == "新增" and trace.x[-1] == "流失"
    assert trace.y[1] == "大众客户"
    assert fig.layout.title.text == "层级迁移：客户数"
    assert "起始" in fig.layout.yaxis.title.text
    sankey = charts.transition_sankey(_counts(), lang="zh")
    labels = list(sankey.data[0].node.label)
    assert labels[0].startswith("新增") and labels[-1].startswith("流失")
    assert sankey.layout.title.text == "客户在层级之间的流动"
    bars = charts.unit_migration_bars(_units(), level="branch", lang="zh")
    assert bars.layout.title.text == "各支行净升级"


def test_an_empty_transition_is_a_message():
    empty = _counts({})
    for fig in (
        charts.transition_heatmap(empty, subtitle=SUB),
        charts.transition_sankey(empty, subtitle=SUB),
        charts.transition_heatmap(empty, show="aum", lang="zh"),
    ):
        assert len(fig.data) == 0
        assert fig.layout.annotations[0].text in (
            "No customers in either snapshot of this view.",
            "本视图的两个数据日期都没有客户。",
        )
    assert SUB in charts.transition_sankey(empty, subtitle=SUB).layout.title.text


# -- units ---------------------------------------------------------------------------------------------


def _units(n: int = 3) -> pd.DataFrame:
    names = [f"B{i}" for i in range(1, n + 1)]
    net = [n // 2 - i for i in range(n)]  # B1 best ... worst
    return pd.DataFrame(
        {
            "name": names,
            "customers_from": [100] * n,
            "upgrades": [max(v, 0) + 1 for v in net],
            "downgrades": [max(-v, 0) + 1 for v in net],
            "stable": [90] * n,
            "reclassified": [0] * n,
            "closed": [1] * n,
            "new": [2] * n,
            "net_upgrades": net,
            "upgrade_rate": [0.01] * n,
            "downgrade_rate": [0.02] * n,
            "closure_rate": [0.01] * n,
            "high_tier_losses": [i % 2 for i in range(n)],
            "high_tier_loss_aum": [1e6 * (i % 2) for i in range(n)],
        }
    )


def test_unit_bars_carry_the_name_for_the_drill():
    df = _units(3)  # net +1, 0, -1; losses 0, 1, 0
    fig = charts.unit_migration_bars(df, level="branch", subtitle=SUB)
    bar = fig.data[0]
    assert list(bar.y) == ["B3", "B2", "B1"]  # bottom-up: the most net upgrades on top
    assert list(bar.x) == [-1, 0, 1]
    assert [c[0] for c in bar.customdata] == ["B3", "B2", "B1"]
    assert list(bar.marker.color) == [
        charts.MOVE_COLOURS["downgrade"],
        "#9ca3af",
        charts.MOVE_COLOURS["upgrade"],
    ]
    assert fig.layout.title.text.startswith("Net upgrades by branch")
    losses = charts.unit_migration_bars(df, measure="high_tier_losses", level="branch")
    assert list(losses.data[0].y) == ["B2"]  # only the units with losses
    assert losses.layout.title.text == "High-tier losses by branch"
    none = charts.unit_migration_bars(
        df.assign(high_tier_losses=0), measure="high_tier_losses", level="rm_id"
    )
    assert len(none.data) == 0
    assert none.layout.annotations[0].text == "No high-net-worth or private customer was lost in this view."


def test_many_units_show_the_best_and_the_worst():
    fig = charts.unit_migration_bars(_units(50), level="rm_id", limit=10)
    shown = list(fig.data[0].y)[::-1]  # top to bottom
    assert shown == [f"B{i}" for i in range(1, 6)] + [f"B{i}" for i in range(46, 51)]


# -- over many months --------------------------------------------------------------------------------


def _long() -> pd.DataFrame:
    """Average-matrix cells: affluent 8 of 10 stay, 1 up, 1 closes; hnw 4 of 4 stay."""
    rows = [
        ("affluent", "affluent", 8, 10),
        ("affluent", "hnw", 1, 10),
        ("affluent", "closed", 1, 10),
        ("hnw", "affluent", 0, 4),
        ("hnw", "hnw", 4, 4),
        ("hnw", "closed", 0, 4),
    ]
    df = pd.DataFrame(rows, columns=["from_state", "to_state", "customers", "exposure"])
    df["p"] = df["customers"] / df["exposure"]
    df["lower"] = (df["p"] - 0.1).clip(lower=0)
    df["upper"] = (df["p"] + 0.1).clip(upper=1)
    return df


def test_average_heatmap_names_its_method_and_holds_the_intervals():
    fig = charts.average_matrix_heatmap(_long(), ci_method="wilson", confidence=0.95, pairs=12, subtitle=SUB)
    trace = fig.data[0]
    assert list(trace.y) == ["Affluent", "High net worth"]
    assert list(trace.x) == ["Affluent", "High net worth", "Closed"]
    assert trace.z[0][1] == pytest.approx(10.0) and trace.z[1][1] == pytest.approx(100.0)
    assert trace.customdata[0][1][:2] == [pytest.approx(0.0), pytest.approx(20.0)]  # lower, upper in %
    assert trace.customdata[0][1][2:] == [1, 10]  # 1 move of 10 customer-months
    assert (
        "95% Wilson score intervals per cell · cohort estimator over 12 monthly steps"
        in fig.layout.title.text
    )
    assert "confidence interval (Wilson score)" in trace.hovertemplate
    goodman = charts.average_matrix_heatmap(_long(), ci_method="goodman", lang="zh")
    assert "Goodman 联合" in goodman.layout.title.text
    assert len(charts.average_matrix_heatmap(_long().iloc[0:0]).data) == 0


def test_projection_stacks_the_tiers_in_order():
    rows = []
    for month in range(3):
        mix = {"private": 1.0, "mass": 6.0 - month, "affluent": 3.0 + month}
        total = sum(mix.values())
        rows += [(month, tier, n, n / total) for tier, n in mix.items()]
    df = pd.DataFrame(rows, columns=["month", "tier", "customers", "share"])
    fig = charts.projection_chart(df, start_label="2026-09-30", subtitle=SUB)
    assert [tr.name for tr in fig.data] == ["Mass", "Affluent", "Private banking"]  # TIER_ORDER
    assert all(tr.stackgroup == "mix" for tr in fig.data)
    assert list(fig.data[0].y) == pytest.approx([60.0, 50.0, 40.0])
    assert fig.layout.xaxis.title.text == "Months after 2026-09-30"
    assert [tr.line.color for tr in fig.data] == [
        charts.TIER_COLOURS[s] for s in ("mass", "affluent", "private")
    ]


def test_stationary_mix_names_its_method():
    df = pd.DataFrame(
        {"tier": ["mass", "affluent"], "current_share": [0.7, 0.3], "stationary_share": [0.6, 0.4]}
    )
    fig = charts.stationary_mix_bars(df, method="renormalised", current_label="2026-09-30")
    assert "closures taken out" in fig.layout.title.text
    assert [tr.name for tr in fig.data] == ["Now (2026-09-30)", "Stationary mix"]
    assert list(fig.data[1].y) == pytest.approx([60.0, 40.0])
    assert "流入" in charts.stationary_mix_bars(df, method="inflow", lang="zh").layout.title.text


def test_backtest_chart_with_and_without_an_actual():
    df = pd.DataFrame(
        {
            "tier": ["mass", "affluent"],
            "projected": [60.0, 40.0],
            "actual": [55.0, 45.0],
            "projected_share": [0.6, 0.4],
            "actual_share": [0.55, 0.45],
        }
    )
    df["share_error"] = df["projected_share"] - df["actual_share"]
    df["abs_share_error"] = df["share_error"].abs()
    df.attrs.update(
        origin=dt.date(2026, 6, 30),
        target_date=dt.date(2026, 9, 30),
        horizon=3,
        pairs=12,
        mean_abs_share_error=0.05,
    )
    fig = charts.backtest_chart(df, subtitle=SUB)
    assert fig.layout.title.text.startswith("Backtest: projected vs actual tier shares, 3 months ahead")
    assert (
        "Projected from 2026-06-30, compared with 2026-09-30: mean absolute error 5.00 pp"
        in fig.layout.title.text
    )
    assert [tr.name for tr in fig.data] == ["Projected", "Actual"]
    blind = df.assign(actual=np.nan, actual_share=np.nan)
    blind.attrs.update(df.attrs, target_date=None, mean_abs_share_error=float("nan"))
    fig = charts.backtest_chart(blind)
    assert [tr.name for tr in fig.data] == ["Projected"]
    assert "no actual to compare with" in fig.layout.title.text


def test_every_figure_uses_the_template():
    figures = [
        charts.transition_heatmap(_counts()),
        charts.transition_sankey(_counts()),
        charts.unit_migration_bars(_units()),
        charts.average_matrix_heatmap(_long()),
    ]
    assert all(fig.layout.template.layout.font.family == charts.FONT_FAMILY for fig in figures)
    assert TIER_ORDER[0] == "mass"
