"""Plotly figure builders and the one theme every chart uses.

Builders are pure functions in the manner of plotly express: a small DataFrame first,
keyword options after, a ``go.Figure`` back. Every figure carries a title and a
subtitle (snapshot, filters, rules) so that an exported slide stands on its own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from analytics.i18n import TEXT, format_count, format_money, industry_label, level_name, t, tier_label
from analytics.rules import RETAIL_TIERS, TIER_ORDER

FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, Arial, sans-serif"

#: One colour per tier: retail from light to deep blue, corporate greens/ambers, institutions grey.
TIER_COLOURS: dict[str, str] = {
    "mass": "#c6dbef",
    "emerging": "#9ecae1",
    "affluent": "#4292c6",
    "hnw": "#2171b5",
    "private": "#08306b",
    "strategic": "#00441b",
    "large": "#238b45",
    "medium": "#74c476",
    "small": "#c7e9c0",
    "emerging_market": "#fd8d3c",
    "real_estate": "#a63603",
    "institution": "#636363",
    "above_scale": "#807dba",
    "below_scale": "#dadaeb",
    "institution_no_loan": "#bdbdbd",
}

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT_FAMILY, size=14, color="#1f2937"),
        title=dict(x=0.01, xanchor="left", font=dict(size=20)),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=["#2171b5", "#fd8d3c", "#238b45", "#807dba", "#a63603", "#636363"],
        xaxis=dict(showgrid=False, linecolor="#9ca3af", ticks="outside"),
        yaxis=dict(gridcolor="#e5e7eb", zerolinecolor="#9ca3af"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1),
        margin=dict(l=60, r=30, t=90, b=60),
    )
)
pio.templates["tierscope"] = TEMPLATE


def _title(title: str, subtitle: str | None) -> dict:
    text = title if not subtitle else f"{title}<br><sup>{subtitle}</sup>"
    return dict(text=text)


def money_scale(values, lang: str = "en", *, largest: float | None = None) -> tuple[float, str]:
    """The divisor and unit label that make CNY amounts readable on an axis or in a column.

    Chinese uses 万元 and 亿元, English CNY K / M / B; the unit is chosen by the largest
    absolute value so that one axis or column never mixes units.

    >>> money_scale([123_456_789], "zh")
    (100000000.0, '亿元')
    >>> money_scale([2_500_000], "en")
    (1000000.0, 'CNY M')

    ``largest`` caps the unit (tables keep 万元 or CNY M, as bank reports do, so that
    small values keep their digits).
    """
    biggest = max((abs(float(v)) for v in values if v == v), default=0.0)  # v == v drops NaN
    steps = (
        ((1e8, "ov_unit_1e8"), (1e4, "ov_unit_1e4"))
        if lang == "zh"
        else (
            (1e9, "ov_unit_1e9"),
            (1e6, "ov_unit_1e6"),
            (1e3, "ov_unit_1e3"),
        )
    )
    for size, key in steps:
        if biggest >= size and (largest is None or size <= largest):
            return size, t(key, lang)
    return 1.0, t("ov_unit_1", lang)


def money_text(value: float | None, lang: str = "en") -> str:
    """A compact amount with its currency, for hover labels: ``7.6B CNY`` or ``42.2亿元``."""
    return f"{format_money(value, lang)}{'元' if lang == 'zh' else ' CNY'}"


def _pct_ticks(limit: float) -> list[float]:
    # About three ticks a side, at a round step, for the mirrored pyramid axis.
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50) if limit / s <= 4), 100)
    n = int(limit // step)
    return [k * step for k in range(-n, n + 1)]


def tier_pyramid(
    df: pd.DataFrame,
    *,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The tier pyramid: share of customers to the left, share of AUM to the right.

    Retail tiers form the classic wealth pyramid, private banking on top and mass at the
    bottom; corporate and institution tiers are a second panel, strategic on top (their
    part of :data:`TIER_ORDER` already runs from the top down). A panel appears only when
    ``df`` has its tiers, so a segment filter narrows the figure too.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.overview.tier_pyramid` (``panel, tier, customers, aum,
        customers_share, aum_share``).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it (snapshot, filters, rules).
    """
    panels = [p for p in ("retail", "corporate") if p in set(df["panel"])]
    fig = make_subplots(
        rows=1,
        cols=max(1, len(panels)),
        subplot_titles=[t(f"ov_panel_{p}", lang) for p in panels],
        horizontal_spacing=0.2,
    )
    tallest = 0
    for col, panel in enumerate(panels, start=1):
        part = df[df["panel"] == panel].set_index("tier")
        order = [tier for tier in TIER_ORDER if tier in part.index]
        # Plotly lists categories bottom-up: retail runs mass -> private already, corporate
        # runs strategic -> ... and is reversed so that strategic is drawn on top.
        bottom_up = order if panel == "retail" else order[::-1]
        frame = part.loc[bottom_up]
        tallest = max(tallest, len(bottom_up))
        labels = [tier_label(tier, lang) for tier in bottom_up]
        colours = [TIER_COLOURS[tier] for tier in bottom_up]
        cust = frame["customers_share"].to_numpy() * 100
        aum = frame["aum_share"].to_numpy() * 100
        money = [money_text(v, lang) for v in frame["aum"]]
        fig.add_trace(
            go.Bar(
                name=t("ov_customers_pct", lang),
                y=labels,
                x=-cust,
                orientation="h",
                marker=dict(color=colours, opacity=0.6, line=dict(color="#6b7280", width=0.5)),
                text=[f"{v:.1f}%" for v in cust],
                textposition="outside",
                cliponaxis=False,
                customdata=list(zip(cust, frame["customers"], strict=True)),
                hovertemplate=(
                    f"%{{y}}<br>{t('customers', lang)}: %{{customdata[1]:,}} (%{{customdata[0]:.1f}}%)"
                    "<extra></extra>"
                ),
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            go.Bar(
                name=t("ov_aum_pct", lang),
                y=labels,
                x=aum,
                orientation="h",
                marker=dict(color=colours, line=dict(color="#374151", width=0.5)),
                text=[f"{v:.1f}%" for v in aum],
                textposition="outside",
                cliponaxis=False,
                customdata=list(zip(aum, money, strict=True)),
                hovertemplate=(
                    f"%{{y}}<br>{t('aum', lang)}: %{{customdata[1]}} (%{{customdata[0]:.1f}}%)<extra></extra>"
                ),
            ),
            row=1,
            col=col,
        )
        limit = max(float(cust.max(initial=0)), float(aum.max(initial=0)), 5.0)
        ticks = _pct_ticks(limit)
        fig.update_xaxes(
            range=[-limit * 1.3, limit * 1.3],
            tickvals=ticks,
            ticktext=[f"{abs(v):g}%" for v in ticks],
            zeroline=True,
            zerolinecolor="#9ca3af",
            title_text=t("ov_pyramid_axis", lang),
            title_font_size=12,
            row=1,
            col=col,
        )
        fig.update_yaxes(categoryorder="array", categoryarray=labels, automargin=True, row=1, col=col)
    fig.update_layout(
        template=TEMPLATE,
        barmode="overlay",
        bargap=0.15,
        showlegend=False,
        height=max(380, 140 + 34 * tallest),
        title=_title(title or t("ov_pyramid_title", lang), subtitle),
        # Room for the longest tier names left of the first panel (automargin does not
        # reach the left panel of a subplot grid).
        margin=dict(t=110, l=150),
    )
    return fig


def tier_history(
    df: pd.DataFrame,
    *,
    measure: str = "aum",
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
    highlight=None,
) -> go.Figure:
    """A measure per tier over every snapshot: stacked areas for AUM, stacked bars otherwise.

    Profit contribution is drawn as relative stacked bars because a loss-making tier
    (below zero) cannot be shown honestly as a stacked area.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.overview.tier_history` (``snapshot_date, tier`` and
        the measure).
    measure : {"aum", "profit_contribution"}
        The money column to draw (CNY, scaled to a readable unit).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    highlight : datetime.date, optional
        A snapshot to mark with a dotted line (the one the rest of the page shows).
    """
    tiers = [tier for tier in TIER_ORDER if tier in set(df["tier"])]
    # Snapshots as categories labelled by month (Oct 2026, 2026年10月): a date axis would
    # tick a month-end snapshot as the first of the next month, and plotly shortens
    # ISO-looking category labels. Full dates when two snapshots share a month.
    dates = sorted(set(df["snapshot_date"]))
    by_month = len({(d.year, d.month) for d in dates}) == len(dates)
    month = "{0.year}年{0.month}月" if lang == "zh" else "{0:%b} {0.year}"
    label = {d: month.format(d) if by_month else d.isoformat() for d in dates}
    per_date = df.groupby("snapshot_date")[measure]
    extent = [
        *per_date.apply(lambda s: s.clip(lower=0).sum()),
        *per_date.apply(lambda s: s.clip(upper=0).sum()),
    ]
    divisor, unit = money_scale(extent, lang)
    area = measure == "aum"
    traces = []
    for tier in tiers:
        part = df[df["tier"] == tier]
        common = dict(
            x=[label[d] for d in part["snapshot_date"]],
            y=part[measure] / divisor,
            name=tier_label(tier, lang),
            customdata=[money_text(v, lang) for v in part[measure]],
            hovertemplate=f"{tier_label(tier, lang)}<br>%{{x}}: %{{customdata}}<extra></extra>",
        )
        if area:
            colour = TIER_COLOURS[tier]
            traces.append(
                go.Scatter(
                    **common,
                    mode="lines",
                    stackgroup="tiers",
                    line=dict(width=0.5, color=colour),
                    fillcolor=colour,
                )
            )
        else:
            traces.append(go.Bar(**common, marker_color=TIER_COLOURS[tier]))
    fig = go.Figure(traces)
    default_title = "ov_history_aum_title" if area else "ov_history_profit_title"
    fig.update_layout(
        template=TEMPLATE,
        barmode="relative",
        title=_title(title or t(default_title, lang), subtitle),
        xaxis=dict(type="category", tickangle=-45, categoryorder="array", categoryarray=list(label.values())),
        yaxis_title=t("ov_axis_unit", lang, measure=t(measure, lang), unit=unit),
        # The legend below the rotated snapshot labels, clear of them.
        legend=dict(orientation="h", yanchor="top", y=-0.3, xanchor="left", x=0, traceorder="normal"),
        height=560,
        margin=dict(b=200),
        hovermode="closest",
    )
    if highlight in label:
        fig.add_shape(
            type="line",
            x0=label[highlight],
            x1=label[highlight],
            yref="paper",
            y0=0,
            y1=1,
            line=dict(color="#6b7280", dash="dot", width=1),
        )
    return fig


def league_bars(
    df: pd.DataFrame,
    *,
    level: str,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
    limit: int = 40,
) -> go.Figure:
    """Organisation units ranked by AUM, largest on top: the chart of the league table.

    Every bar carries the unit's name as its first ``customdata`` item, so that a
    selection event names the unit to drill into.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.overview.league` (``name, customers, aum,
        profit_contribution, aum_growth``), largest AUM first.
    level : {"region", "branch", "rm_id"}
        What the units are (for the title).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    limit : int
        At most this many units (the largest); the table lists them all.
    """
    frame = df.head(limit).iloc[::-1]
    divisor, unit = money_scale(frame["aum"], lang)
    growth = [t("ov_na", lang) if g != g else f"{g * 100:+.1f}%" for g in frame["aum_growth"]]
    fig = go.Figure(
        go.Bar(
            y=frame["name"],
            x=frame["aum"] / divisor,
            orientation="h",
            marker_color="#2171b5",
            text=[format_money(v, lang) for v in frame["aum"]],
            textposition="outside",
            cliponaxis=False,
            customdata=list(
                zip(
                    frame["name"],
                    frame["customers"],
                    [money_text(v, lang) for v in frame["profit_contribution"]],
                    growth,
                    [money_text(v, lang) for v in frame["aum"]],
                    strict=True,
                )
            ),
            hovertemplate=(
                f"%{{customdata[0]}}<br>{t('aum', lang)}: %{{customdata[4]}} (%{{customdata[3]}})"
                f"<br>{t('customers', lang)}: %{{customdata[1]:,}}"
                f"<br>{t('profit_contribution', lang)}: %{{customdata[2]}}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title or t("ov_league_title", lang, level=t(level, lang)), subtitle),
        xaxis_title=t("ov_axis_unit", lang, measure=t("aum", lang), unit=unit),
        yaxis=dict(
            categoryorder="array", categoryarray=list(frame["name"]), type="category", automargin=True
        ),
        height=max(320, 150 + 28 * len(frame)),
        margin=dict(r=80),
        clickmode="event+select",
    )
    return fig


def lorenz_curve(
    df: pd.DataFrame,
    *,
    top_fraction: float = 0.2,
    top_share: float | None = None,
    gini: float | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The Lorenz curve of profit contribution against the line of equal contribution.

    Parameters
    ----------
    df : pandas.DataFrame
        ``customers_share, profit_share`` (fractions) from
        :func:`analytics.concentration.concentration` (its ``lorenz``).
    top_fraction, top_share : float, optional
        The top customers' fraction and their share of net profit, marked on the curve.
    gini : float, optional
        Shown in the corner.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    fig = go.Figure(
        [
            go.Scatter(
                x=[0, 100],
                y=[0, 100],
                mode="lines",
                name=t("ov_equality", lang),
                line=dict(color="#9ca3af", dash="dash", width=1),
                hoverinfo="skip",
            ),
            go.Scatter(
                x=df["customers_share"] * 100,
                y=df["profit_share"] * 100,
                mode="lines",
                name=t("ov_lorenz", lang),
                line=dict(color="#08306b", width=2.5),
                hovertemplate="%{x:.0f}% → %{y:.1f}%<extra></extra>",
            ),
        ]
    )
    if top_share is not None:
        cut = (1 - top_fraction) * 100
        pct = f"{top_fraction * 100:g}"
        fig.add_shape(
            type="line", x0=cut, x1=cut, yref="paper", y0=0, y1=1, line=dict(color="#fd8d3c", dash="dot")
        )
        fig.add_annotation(
            x=cut,
            y=1,
            yref="paper",
            xanchor="right",
            yanchor="top",
            showarrow=False,
            text=t("ov_top_marker", lang, pct=pct, share=f"{top_share * 100:.1f}%"),
            font=dict(color="#a63603", size=13),
        )
    if gini is not None:
        fig.add_annotation(
            x=0.02,
            y=0.98,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="top",
            showarrow=False,
            text=f"{t('ov_gini', lang)}: {gini:.2f}",
            font=dict(size=14),
        )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title or t("ov_lorenz_title", lang), subtitle),
        xaxis=dict(title=t("ov_lorenz_x", lang), range=[0, 100], ticksuffix="%"),
        yaxis=dict(title=t("ov_lorenz_y", lang), ticksuffix="%"),
        # Inside the empty upper left, under the Gini label, clear of the subtitle.
        legend=dict(orientation="v", x=0.02, y=0.88, xanchor="left", yanchor="top"),
        height=460,
    )
    return fig


# -- Segmentation -------------------------------------------------------------------------------
# The classification tree of corporate and institutional customers, the two value matrices
# (existing customers, prospects) and the tier heatmaps of the segmentation page.

#: The classes of each value matrix, in the order of their tables, and where each class lies:
#: (high on the x axis, high on the y axis). A value equal to a cut point counts as high.
MATRIX_CLASSES: dict[str, tuple[str, ...]] = {
    "existing": ("important", "quality", "ordinary", "exit"),
    "target": ("gold", "potential", "watch", "general"),
}
MATRIX_POSITION: dict[str, tuple[bool, bool]] = {
    "important": (True, True),
    "quality": (True, False),
    "ordinary": (False, True),
    "exit": (False, False),
    "gold": (True, True),
    "potential": (True, False),
    "watch": (False, True),
    "general": (False, False),
}
#: One colour per matrix class: the attractive corner green (gold for prospects), the
#: high-x corner blue, the high-y corner amber, the low corner grey.
MATRIX_COLOURS: dict[str, str] = {
    "important": "#238b45",
    "quality": "#2171b5",
    "ordinary": "#fd8d3c",
    "exit": "#9ca3af",
    "gold": "#d4a017",
    "potential": "#2171b5",
    "watch": "#fd8d3c",
    "general": "#9ca3af",
}
#: Inner nodes of the classification tree (the leaves are tiers and use TIER_COLOURS):
#: the loan branch in greens like its tiers, the no-loan branch in purples like its tiers.
NODE_COLOURS: dict[str, str] = {
    "corporate": "#f3f4f6",
    "loan": "#a1d99b",
    "loan.company": "#c7e9c0",
    "loan.company.traditional": "#e5f5e0",
    "no_loan": "#bcbddc",
    "no_loan.company": "#efedf5",
}
#: The measures a heatmap or the tree can show; the money ones are scaled to 万/亿 or K/M/B.
SEGMENT_MEASURES = ("customers", "aum", "profit_contribution")


def node_label(node: str, lang: str = "en") -> str:
    """The display name of a classification-tree node: a tier's name for a leaf."""
    return tier_label(node, lang) if node in TIER_COLOURS else t(f"seg_node_{node}", lang)


def _message_figure(
    title: str, subtitle: str | None, lang: str, *, message: str = "seg_no_data"
) -> go.Figure:
    """A figure that says there is nothing to draw, keeping the title (an empty selection)."""
    fig = go.Figure()
    fig.add_annotation(
        text=t(message, lang),
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font=dict(size=16, color="#6b7280"),
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
        height=360,
    )
    return fig


def _label(name: str, lang: str) -> str:
    # Column names of the segmentation frames: the common ones, else the page's own.
    return t(name, lang) if name in ("customers", "aum", "profit_contribution") else t(f"seg_{name}", lang)


def _measure_text(value: float, measure: str, lang: str) -> str:
    return format_count(int(value), lang) if measure == "customers" else money_text(value, lang)


def classification_sunburst(
    df: pd.DataFrame,
    *,
    measure: str = "customers",
    selected: str | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The classification tree of corporate and institutional customers as a sunburst.

    Every node carries its id (``ids``), so that a click reports which node to filter the
    page to. Leaves (tiers) are sized by ``measure`` (a loss-making tier has no area: a
    sunburst cannot draw a negative size) and every inner node is the sum of its
    children; the hover shows the node's customers, AUM, deposits, loans and profit
    contribution as they are.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.segmentation.classification_tree` (``node, parent,
        depth, customers, aum, deposit_balance, loan_balance, profit_contribution``); the
        root's parent is empty.
    measure : {"customers", "aum", "profit_contribution"}
        What the areas show.
    selected : str, optional
        A node to outline (the one the page is filtered to).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("seg_tree_title", lang, measure=t(measure, lang))
    if df.empty:
        return _message_figure(title, subtitle, lang)
    nodes = list(df["node"])
    parents = ["" if p is None or p != p else str(p) for p in df["parent"]]  # p != p: NaN
    inner = set(parents)
    # Only leaves get a size; "remainder" makes every inner node exactly the sum of its children.
    sizes = [0.0 if n in inner else max(float(v), 0.0) for n, v in zip(nodes, df[measure], strict=True)]
    if sum(sizes) <= 0:
        return _message_figure(title, subtitle, lang)
    colours = [TIER_COLOURS.get(n) or NODE_COLOURS.get(n, "#e5e7eb") for n in nodes]
    customdata = list(
        zip(
            [format_count(int(v), lang) for v in df["customers"]],
            [money_text(v, lang) for v in df["aum"]],
            [money_text(v, lang) for v in df["deposit_balance"]],
            [money_text(v, lang) for v in df["loan_balance"]],
            [money_text(v, lang) for v in df["profit_contribution"]],
            strict=True,
        )
    )
    fig = go.Figure(
        go.Sunburst(
            ids=nodes,
            parents=parents,
            labels=[node_label(n, lang) for n in nodes],
            values=sizes,
            branchvalues="remainder",
            sort=False,
            marker=dict(
                colors=colours,
                line=dict(
                    color=["#111827" if n == selected else "white" for n in nodes],
                    width=[3 if n == selected else 1 for n in nodes],
                ),
            ),
            textinfo="label+percent root",
            insidetextorientation="radial",
            customdata=customdata,
            hovertemplate=(
                "<b>%{label}</b>"
                f"<br>{t('customers', lang)}: %{{customdata[0]}}"
                f"<br>{t('aum', lang)}: %{{customdata[1]}}"
                f"<br>{t('deposits', lang)}: %{{customdata[2]}}"
                f"<br>{t('loans', lang)}: %{{customdata[3]}}"
                f"<br>{t('profit_contribution', lang)}: %{{customdata[4]}}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        height=620,
        margin=dict(l=20, r=20, t=100, b=20),
    )
    return fig


def _padded_range(values, cut: float | None) -> list[float]:
    # The cut line always inside the plot, so that each corner lies in its own quadrant.
    points = [float(v) for v in values if v == v] + ([] if cut is None else [float(cut)])
    low, high = min(points), max(points)
    pad = (high - low) * 0.06 or abs(high) * 0.1 or 1.0
    return [low - pad, high + pad]


#: An axis whose full range is this many times wider than its 1st-99th percentile range ends
#: at those percentiles (a few very large customers would squeeze everyone else into a line).
OUTLIER_SPREAD = 3.0


def _view_range(values: pd.Series, cut: float | None) -> tuple[list[float], bool]:
    """The axis range to show, and whether it leaves out the extreme 1% on either side."""
    v = pd.Series(values, dtype="float64").dropna()
    full = _padded_range(v, cut)
    if len(v) >= 50:
        core = _padded_range([v.quantile(0.01), v.quantile(0.99)], cut)
        if full[1] - full[0] > OUTLIER_SPREAD * (core[1] - core[0]):
            return core, True
    return full, False


def _matrix_scatter(
    df: pd.DataFrame,
    *,
    kind: str,
    x: str,
    y: str,
    x_cut: float | None,
    y_cut: float | None,
    x_money: bool,
    population: int | None,
    lang: str,
    title: str,
    subtitle: str | None,
) -> go.Figure:
    if df.empty:
        return _message_figure(title, subtitle, lang)
    class_column, id_column, size_column = (
        ("quadrant", "customer_id", "aum")
        if kind == "existing"
        else ("target_class", "prospect_id", "estimated_aum")
    )
    x_range, x_clipped = _view_range(df[x], x_cut)
    y_range, y_clipped = _view_range(df[y], y_cut)
    # The unit of the money axis follows what is in view (an outlier left out does not set it).
    x_div, x_unit = money_scale(x_range, lang) if x_money else (1.0, None)
    x_title = (
        t(f"seg_axis_{x}", lang)
        if x_unit is None
        else t("ov_axis_unit", lang, measure=t(x, lang), unit=x_unit)
    )
    # Numbers travel as numpy arrays (base64 in the JSON): a few thousand points per class
    # as Python lists of tuples would cost most of a page run to validate, copy and encode.
    size_div, size_unit = money_scale(df[size_column].fillna(0.0), lang)
    x_hover = f"%{{x:,.2f}} {x_unit}" if x_unit else "%{x:,.3g}"
    traces = []
    for cls in MATRIX_CLASSES[kind]:
        part = df[df[class_column] == cls]
        if part.empty:
            continue
        if kind == "existing":
            labels = [tier_label(tr, lang) for tr in part["tier"]]
        else:
            labels = [industry_label(ind, lang) for ind in part["industry"]]
        who = (part[id_column].astype(str) + " · " + pd.Series(labels, index=part.index)).str.rstrip(" ·")
        traces.append(
            go.Scattergl(
                x=(part[x] / x_div).to_numpy("float64"),
                y=part[y].to_numpy("float64"),
                mode="markers",
                name=t(f"seg_class_{cls}", lang),
                marker=dict(color=MATRIX_COLOURS[cls], size=6, opacity=0.65, line=dict(width=0)),
                text=who.tolist(),
                customdata=(part[size_column].fillna(np.nan) / size_div).to_numpy("float64"),
                hovertemplate=(
                    "%{text}"
                    f"<br>{_label(x, lang)}: {x_hover}"
                    f"<br>{_label(y, lang)}: %{{y:,.3g}}"
                    f"<br>{_label(size_column, lang)}: %{{customdata:,.2f}} {size_unit}"
                    f"<br>{t(f'seg_class_{cls}', lang)}<extra></extra>"
                ),
            )
        )
    fig = go.Figure(traces)
    line = dict(color="#374151", dash="dash", width=1.5)
    if x_cut is not None:
        fig.add_shape(type="line", x0=x_cut / x_div, x1=x_cut / x_div, yref="paper", y0=0, y1=1, line=line)
    if y_cut is not None:
        fig.add_shape(type="line", y0=y_cut, y1=y_cut, xref="paper", x0=0, x1=1, line=line)
    for cls in MATRIX_CLASSES[kind]:
        high_x, high_y = MATRIX_POSITION[cls]
        fig.add_annotation(
            text=f"<b>{t(f'seg_class_{cls}', lang)}</b>",
            x=0.99 if high_x else 0.01,
            y=0.99 if high_y else 0.01,
            xref="paper",
            yref="paper",
            xanchor="right" if high_x else "left",
            yanchor="top" if high_y else "bottom",
            showarrow=False,
            font=dict(color=MATRIX_COLOURS[cls], size=15),
            bgcolor="rgba(255,255,255,0.75)",
        )
    if population is not None and population > len(df):
        fig.add_annotation(
            text=t(
                f"seg_sample_{kind}",
                lang,
                n=format_count(len(df), lang),
                total=format_count(population, lang),
            ),
            x=1,
            y=0,
            yshift=-66,
            xref="paper",
            yref="paper",
            xanchor="right",
            yanchor="top",
            showarrow=False,
            font=dict(size=12, color="#6b7280"),
        )
    if x_clipped or y_clipped:
        fig.add_annotation(
            text=t("seg_axis_clipped", lang),
            x=0,
            y=0,
            yshift=-66,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="top",
            showarrow=False,
            font=dict(size=12, color="#6b7280"),
        )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(title=x_title, range=[v / x_div for v in x_range], zeroline=True, zerolinecolor="#e5e7eb"),
        yaxis=dict(title=t(f"seg_axis_{y}", lang), range=y_range),
        showlegend=False,
        height=580,
        hovermode="closest",
        margin=dict(b=90),  # room for the notes under the axis title
    )
    return fig


def existing_matrix_scatter(
    df: pd.DataFrame,
    *,
    profit_cut: float | None,
    value_cut: float | None,
    population: int | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The existing-customer matrix: profit contribution (x) against bank-to-customer value (y).

    One WebGL scatter trace per quadrant, the two cut lines dashed, each quadrant named in
    its corner: important (top right), quality (bottom right), ordinary (top left), exit.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.segmentation.existing_points` (``customer_id, segment,
        tier, aum, profit_contribution, bank_value, quadrant``), possibly a sample.
    profit_cut, value_cut : float or None
        The cut points in use (CNY of profit contribution; the bank-value score).
    population : int, optional
        The customers the sample was drawn from; when larger than ``df``, the figure says so.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    return _matrix_scatter(
        df,
        kind="existing",
        x="profit_contribution",
        y="bank_value",
        x_cut=profit_cut,
        y_cut=value_cut,
        x_money=True,
        population=population,
        lang=lang,
        title=title or t("seg_existing_title", lang),
        subtitle=subtitle,
    )


def target_matrix_scatter(
    df: pd.DataFrame,
    *,
    potential_cut: float | None,
    fit_cut: float | None,
    population: int | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The target-customer matrix: potential value (x) against fit (y), prospects as WebGL points.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.segmentation.target_points` (``prospect_id, segment,
        industry, estimated_aum, potential_value, fit, target_class``), possibly a sample.
    potential_cut, fit_cut : float or None
        The cut points in use (scores).
    population : int, optional
        The prospects the sample was drawn from.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    return _matrix_scatter(
        df,
        kind="target",
        x="potential_value",
        y="fit",
        x_cut=potential_cut,
        y_cut=fit_cut,
        x_money=False,
        population=population,
        lang=lang,
        title=title or t("seg_target_title", lang),
        subtitle=subtitle,
    )


def _tier_heatmap(
    df: pd.DataFrame,
    *,
    column: str,
    columns: list[str],
    column_labels: list[str],
    measure: str,
    x_title: str,
    lang: str,
    title: str,
    subtitle: str | None,
) -> go.Figure:
    if df.empty or not columns:
        return _message_figure(title, subtitle, lang)
    tiers = [tier for tier in TIER_ORDER if tier in set(df["tier"])]
    grid = (
        df.pivot_table(index="tier", columns=column, values=measure, aggfunc="sum", fill_value=0)
        .reindex(index=tiers, columns=columns, fill_value=0)
        .astype(float)
    )
    money = measure != "customers"
    divisor, unit = money_scale(grid.to_numpy().ravel(), lang) if money else (1.0, None)
    row_total = grid.sum(axis=1).replace(0, float("nan"))
    row_share = grid.div(row_total, axis=0) * 100
    text = [
        [_measure_text(v, measure, lang).removesuffix(" CNY").removesuffix("元") for v in row]
        for row in grid.to_numpy()
    ]
    customdata = [
        [
            (_measure_text(v, measure, lang), "–" if s != s else f"{s:.1f}%")
            for v, s in zip(values, shares, strict=True)
        ]
        for values, shares in zip(grid.to_numpy(), row_share.to_numpy(), strict=True)
    ]
    negative = bool((grid.to_numpy() < 0).any())
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy() / divisor,
            x=column_labels,
            y=[tier_label(tier, lang) for tier in tiers],
            colorscale="RdBu" if negative else "Blues",
            zmid=0 if negative else None,
            text=text,
            texttemplate="%{text}",
            customdata=customdata,
            hovertemplate=(
                f"%{{y}} · %{{x}}<br>{t(measure, lang)}: %{{customdata[0]}}"
                f"<br>{t('seg_row_share', lang)}: %{{customdata[1]}}<extra></extra>"
            ),
            colorbar=dict(
                title=dict(text=t(measure, lang) if unit is None else unit, side="right"), thickness=14
            ),
            xgap=1,
            ygap=1,
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(title=x_title, type="category", side="bottom", tickangle=-30 if len(columns) > 6 else 0),
        # The first tier of TIER_ORDER on top.
        yaxis=dict(type="category", autorange="reversed", automargin=True, showgrid=False),
        height=max(360, 170 + 34 * len(tiers)),
    )
    return fig


def tier_unit_heatmap(
    df: pd.DataFrame,
    *,
    measure: str = "customers",
    level: str = "region",
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Tiers (rows, in :data:`TIER_ORDER`) by organisation unit (columns): customers, AUM or profit.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.segmentation.tier_by_unit` (``unit, tier, customers, aum,
        profit_contribution``), one row per unit and tier.
    measure : {"customers", "aum", "profit_contribution"}
        The cell values (money scaled to one unit for the colour bar).
    level : {"region", "branch", "rm_id"}
        What the units are.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    level_text = level_name(level, lang)  # mid-sentence
    title = title or t("seg_heatmap_unit_title", lang, measure=t(measure, lang), level=level_text)
    units = sorted({str(u) for u in df["unit"]}) if not df.empty else []
    frame = df.assign(unit=df["unit"].astype(str)) if not df.empty else df
    return _tier_heatmap(
        frame,
        column="unit",
        columns=units,
        column_labels=units,
        measure=measure,
        x_title=t(level, lang),
        lang=lang,
        title=title,
        subtitle=subtitle,
    )


def tier_quadrant_heatmap(
    df: pd.DataFrame,
    *,
    measure: str = "customers",
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Tiers (rows, in :data:`TIER_ORDER`) by quadrant of the existing-customer matrix.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.segmentation.tier_by_quadrant` (``tier, quadrant,
        customers, aum, profit_contribution``).
    measure : {"customers", "aum", "profit_contribution"}
        The cell values.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("seg_heatmap_quadrant_title", lang, measure=t(measure, lang))
    quadrants = list(MATRIX_CLASSES["existing"])
    return _tier_heatmap(
        df,
        column="quadrant",
        columns=quadrants,
        column_labels=[t(f"seg_class_{q}", lang) for q in quadrants],
        measure=measure,
        x_title=t("seg_quadrant", lang),
        lang=lang,
        title=title,
        subtitle=subtitle,
    )


# -- Trends ---------------------------------------------------------------------------------------
# Satisfaction and complaints month by month (analytics/trends.py): series with confidence bands,
# the seasonal decomposition, forecasts with prediction intervals, control charts, the complaint
# Pareto, the open backlog and the branch scatter. Months are the first day of the month.

#: Groups a trend chart draws at most by default (the largest by surveys or complaints).
TREND_MAX_GROUPS = 8
#: Line colours of groups that are not tiers (tiers keep TIER_COLOURS).
GROUP_COLOURS = (
    "#2171b5",
    "#fd8d3c",
    "#238b45",
    "#807dba",
    "#a63603",
    "#636363",
    "#e7298a",
    "#66a61e",
    "#1b9e77",
    "#d95f02",
)
#: The colour of flagged months, limits and the fitted line.
ALERT_COLOUR = "#c0392b"
LIMIT_COLOUR = "#6b7280"
#: The y-axis label of each measure a monthly series can be in.
_MEASURE_AXIS = {"score": "tr_axis_score_plain", "complaints": "tr_axis_complaints", "rate": "tr_axis_rate"}


def trend_group_label(by: str | None, group, lang: str = "en") -> str:
    """The display name of a group of a satisfaction or complaint series.

    Tiers by their names, ``unknown`` and ``unassigned`` in words, the demo's channels and
    complaint categories translated; any other value (a branch, a region, a category of
    the bank's own) as it is.
    """
    if by is None or group is None or group != group:  # group != group: NaN
        return t("tr_all", lang)
    group = str(group)
    if group == "unknown" and by in ("tier", "channel"):
        return t("tr_group_unknown" if by == "tier" else "tr_channel_unknown", lang)
    if group == "unassigned":
        return t("tr_group_unassigned", lang)
    if by == "tier":
        return tier_label(group, lang)
    if by in ("channel", "category"):
        key = f"tr_{'channel' if by == 'channel' else 'cat'}_{group}"
        if key in TEXT["en"]:
            return t(key, lang)
    return group


def _month_values(values) -> np.ndarray:
    """Months as ISO date strings for a date axis (a datetime64 array would travel as raw integers).

    A few dozen months at most, so strings cost nothing; the numbers of a trace go as numpy arrays.
    """
    return np.array([pd.Timestamp(v).strftime("%Y-%m-%d") for v in values], dtype=object)


def _month_axis(lang: str, months: int) -> dict:
    """A date axis labelled by month (2026-03, 2026年3月), ticks every 1, 3 or 6 months."""
    step = 1 if months <= 12 else 3 if months <= 36 else 6
    return dict(
        title=t("tr_axis_month", lang),
        type="date",
        dtick=f"M{step}",
        tickformat="%Y年%-m月" if lang == "zh" else "%Y-%m",
        hoverformat="%Y-%m",
    )


def _rgba(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _group_colours(groups: list) -> dict:
    # Distinct hues for lines (the tier palette's pale blues cannot be told apart as lines).
    return {g: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, g in enumerate(groups)}


#: The legend of a chart with one line per group: to the right of the plot, one entry a row.
_SIDE_LEGEND = dict(orientation="v", x=1.02, y=1, xanchor="left", yanchor="top")


def _largest_groups(df: pd.DataFrame, weight: str, limit: int) -> tuple[list, int]:
    """The groups of ``df`` to draw (at most ``limit``, the largest by ``weight``) and how many there are.

    The groups keep the frame's order (tier order, or by name), so the legend reads as the table does.
    """
    key = df["group"].astype(object).where(df["group"].notna(), "\uffff")
    order = list(dict.fromkeys(key))
    totals = df.groupby(key, sort=False)[weight].sum()
    keep = set(totals.sort_values(ascending=False, kind="stable").index[:limit])
    chosen = [None if g == "\uffff" else g for g in order if g in keep]
    return chosen, len(order)


def _rows_of(df: pd.DataFrame, group) -> pd.DataFrame:
    return df[df["group"].isna()] if group is None else df[df["group"] == group]


def _note(fig: go.Figure, text: str, *, y: float = -0.22) -> None:
    """A grey note under the plot (a limit, a rule, a fit)."""
    fig.add_annotation(
        text=text,
        x=0,
        y=y,
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font=dict(size=12, color="#4b5563"),
    )


def _text_figure(title: str, subtitle: str | None, lang: str, text: str | None = None) -> go.Figure:
    """A figure that says why there is nothing to draw (``text``, or "nothing to show")."""
    fig = _message_figure(title, subtitle, lang, message="tr_no_data")
    if text:
        fig.layout.annotations[0].text = text
    return fig


def satisfaction_trend(
    df: pd.DataFrame,
    *,
    by: str | None = None,
    max_groups: int = TREND_MAX_GROUPS,
    scale_max: float | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Monthly mean satisfaction with its 95% confidence band, one line per group.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.trends.satisfaction_monthly` (``month, group, n, mean,
        ci_low, ci_high, ...``).
    by : str, optional
        What the groups are (``tier``, ``branch``, ``region``, ``channel``), for their names.
    max_groups : int
        At most this many groups are drawn, the largest by surveys; the figure says so.
    scale_max : float, optional
        The top of the score scale, named on the y axis.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.

    A band is a filled polygon (the interval's upper edge, then the lower edge back),
    drawn only over months with an interval (a month with one survey has none).
    """
    by_text = t(f"tr_by_{by}", lang) if by in ("channel",) else t(by, lang) if by else ""
    if lang == "en" and by:
        by_text = by_text.lower()
    title = title or (t("tr_sat_title_by", lang, by=by_text) if by else t("tr_sat_title", lang))
    if df.empty:
        return _text_figure(title, subtitle, lang)
    groups, total = _largest_groups(df, "n", max_groups)
    colours = _group_colours(groups)
    traces = []
    for group in groups:
        part = _rows_of(df, group)
        name = trend_group_label(by, group, lang)
        colour = colours[group]
        months = _month_values(part["month"])
        band = part["ci_low"].notna().to_numpy() & part["ci_high"].notna().to_numpy()
        if band.any():
            x = np.concatenate([months[band], months[band][::-1]])
            y = np.concatenate(
                [part["ci_high"].to_numpy(float)[band], part["ci_low"].to_numpy(float)[band][::-1]]
            )
            traces.append(
                go.Scatter(
                    x=x,
                    y=y,
                    fill="toself",
                    fillcolor=_rgba(colour, 0.15 if len(groups) == 1 else 0.1 if len(groups) <= 3 else 0.05),
                    line=dict(width=0),
                    mode="lines",
                    name=t("tr_band", lang) if by is None else f"{name} · {t('tr_band', lang)}",
                    legendgroup=name,
                    showlegend=by is None,
                    hoverinfo="skip",
                )
            )
        traces.append(
            go.Scatter(
                x=months,
                y=part["mean"].to_numpy(float),
                mode="lines+markers",
                name=t("tr_mean", lang) if by is None else name,
                legendgroup=name,
                line=dict(color=colour, width=2.5 if by is None else 2),
                marker=dict(size=6),
                customdata=np.column_stack(
                    [
                        part["n"].to_numpy(float),
                        part["ci_low"].to_numpy(float),
                        part["ci_high"].to_numpy(float),
                    ]
                ),
                hovertemplate=(
                    f"{name}<br>%{{x|%Y-%m}}: %{{y:.2f}}"
                    f"<br>{t('tr_band', lang)}: %{{customdata[1]:.2f}} – %{{customdata[2]:.2f}}"
                    "<br>n = %{customdata[0]:,.0f}<extra></extra>"
                ),
            )
        )
    fig = go.Figure(traces)
    axis = t("tr_axis_score", lang, scale=f"{scale_max:g}") if scale_max else t("tr_axis_score_plain", lang)
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=_month_axis(lang, df["month"].nunique()),
        yaxis=dict(title=axis),
        legend=_SIDE_LEGEND if by else {},
        height=460,
        hovermode="closest",
        margin=dict(b=100),
    )
    if total > len(groups):
        what = t("tr_largest_by_surveys", lang)
        _note(fig, t("tr_largest_groups", lang, shown=len(groups), total=total, what=what))
    return fig


def score_distribution_bars(
    df: pd.DataFrame,
    *,
    nps_scale: bool = False,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Surveys by score: the share of each score, the count in the hover.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.trends.score_distribution` (``score, n, share``).
    nps_scale : bool
        Colour the bars as NPS groups them (detractors 0-6 red, passives 7-8 grey,
        promoters 9-10 green); only for a 0-10 scale.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("tr_dist_title", lang)
    if df.empty:
        return _text_figure(title, subtitle, lang)
    scores = df["score"].to_numpy(float)
    if nps_scale:
        colours = np.where(scores >= 9, "#238b45", np.where(scores >= 7, "#9ca3af", ALERT_COLOUR))
        names = [
            t("tr_nps_promoters" if s >= 9 else "tr_nps_passives" if s >= 7 else "tr_nps_detractors", lang)
            for s in scores
        ]
    else:
        colours = np.full(len(scores), "#2171b5")
        names = [""] * len(scores)
    share = df["share"].to_numpy(float) * 100
    fig = go.Figure(
        go.Bar(
            x=scores,
            y=share,
            marker_color=list(colours),
            text=[f"{v:.1f}%" for v in share],
            textposition="outside",
            cliponaxis=False,
            customdata=np.column_stack([df["n"].to_numpy(float)]),
            hovertext=names,
            hovertemplate=(
                f"{t('tr_axis_score_value', lang)} %{{x:g}}: %{{y:.1f}}%"
                "<br>n = %{customdata[0]:,.0f}<br>%{hovertext}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(title=t("tr_axis_score_value", lang), type="linear", dtick=1),
        yaxis=dict(title=t("tr_axis_share", lang), ticksuffix="%"),
        height=420,
        showlegend=False,
    )
    return fig


def decomposition_chart(
    df: pd.DataFrame,
    *,
    measure: str = "score",
    message: str | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Observed, trend, seasonal and remainder of a series in four stacked panels (STL).

    Parameters
    ----------
    df : pandas.DataFrame
        The ``frame`` of :class:`analytics.trends.DecomposeResult` (``month, observed, trend,
        seasonal, resid``); empty when the series is too short.
    measure : {"score", "complaints", "rate"}
        What the series is.
    message : str, optional
        What to say instead of the chart when ``df`` is empty (e.g. the too-short message).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("tr_stl_title", lang, measure=t(f"tr_measure_{measure}", lang))
    if df.empty:
        return _text_figure(title, subtitle, lang, message)
    parts = ("observed", "trend", "seasonal", "resid")
    fig = make_subplots(
        rows=4,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=[t(f"tr_stl_{p}", lang) for p in parts],
    )
    months = _month_values(df["month"])
    for row, part in enumerate(parts, start=1):
        values = df[part].to_numpy(float)
        kind = go.Bar if part == "resid" else go.Scatter
        extra = {"marker_color": "#9ca3af"} if part == "resid" else {"mode": "lines", "line": dict(width=2)}
        fig.add_trace(
            kind(
                x=months,
                y=values,
                name=t(f"tr_stl_{part}", lang),
                hovertemplate=f"{t(f'tr_stl_{part}', lang)}<br>%{{x|%Y-%m}}: %{{y:.3g}}<extra></extra>",
                **extra,
            ),
            row=row,
            col=1,
        )
    axis = _month_axis(lang, len(df))
    fig.update_xaxes(type="date", dtick=axis["dtick"], tickformat=axis["tickformat"])
    fig.update_xaxes(title_text=axis["title"], row=4, col=1)
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        showlegend=False,
        height=720,
        hovermode="closest",
        margin=dict(t=110),
    )
    return fig


def forecast_chart(
    df: pd.DataFrame,
    *,
    history: pd.DataFrame | None = None,
    measure: str = "score",
    message: str | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The observed series, the forecast after it and the 95% prediction interval as a band.

    Parameters
    ----------
    df : pandas.DataFrame
        The ``frame`` of :class:`analytics.trends.ForecastResult` (``month, forecast, lower,
        upper``); empty when the series is too short.
    history : pandas.DataFrame, optional
        The observed series (``month, value``), drawn before the forecast.
    measure : {"score", "complaints", "rate"}
        What the series is (y-axis title).
    message : str, optional
        What to say instead of the chart when ``df`` is empty.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("tr_fc_title", lang, measure=t(f"tr_measure_{measure}", lang))
    if df.empty:
        return _text_figure(title, subtitle, lang, message)
    months = _month_values(df["month"])
    traces = [
        go.Scatter(
            x=np.concatenate([months, months[::-1]]),
            y=np.concatenate([df["upper"].to_numpy(float), df["lower"].to_numpy(float)[::-1]]),
            fill="toself",
            fillcolor=_rgba("#fd8d3c", 0.2),
            line=dict(width=0),
            mode="lines",
            name=t("tr_interval", lang),
            hoverinfo="skip",
        )
    ]
    count = 0
    if history is not None and not history.empty:
        count = len(history)
        traces.append(
            go.Scatter(
                x=_month_values(history["month"]),
                y=history["value"].to_numpy(float),
                mode="lines+markers",
                name=t("tr_observed", lang),
                line=dict(color="#2171b5", width=2),
                marker=dict(size=5),
                hovertemplate=f"{t('tr_observed', lang)}<br>%{{x|%Y-%m}}: %{{y:.3g}}<extra></extra>",
            )
        )
    traces.append(
        go.Scatter(
            x=months,
            y=df["forecast"].to_numpy(float),
            mode="lines+markers",
            name=t("tr_forecast", lang),
            line=dict(color="#a63603", width=2, dash="dash"),
            marker=dict(size=6),
            customdata=np.column_stack([df["lower"].to_numpy(float), df["upper"].to_numpy(float)]),
            hovertemplate=(
                f"{t('tr_forecast', lang)}<br>%{{x|%Y-%m}}: %{{y:.3g}}"
                f"<br>{t('tr_interval', lang)}: %{{customdata[0]:.3g}} – %{{customdata[1]:.3g}}<extra></extra>"
            ),
        )
    )
    fig = go.Figure(traces)
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=_month_axis(lang, count + len(df)),
        yaxis=dict(title=t(_MEASURE_AXIS.get(measure, "tr_axis_score_plain"), lang)),
        height=440,
        hovermode="closest",
    )
    return fig


def control_chart(
    df: pd.DataFrame,
    *,
    rule: str,
    centre: float | None = None,
    measure: str = "rate",
    message: str | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """A control chart: the monthly values, the centre line, the limits and the flagged months.

    The rule (e.g. "Laney u′-chart, 3-sigma limits"), the centre and the number of flagged
    months are written under the plot, so the chart states its own rule on a slide.

    Parameters
    ----------
    df : pandas.DataFrame
        The ``frame`` of :class:`analytics.trends.AnomalyResult` (``month, value, centre,
        lower, upper, flagged``); empty when the series is too short. Months without limits
        (not charted) show their value without limits.
    rule : str
        The result's ``rule`` id (``u-chart``, ``laney-u-chart``, ``stl-residual``,
        ``c-chart``, ``xbar-chart``, ``laney-xbar-chart``).
    centre : float, optional
        The centre line, for the note.
    measure : {"score", "complaints", "rate"}
        What is charted (the y-axis title; STL residuals are in complaints).
    message : str, optional
        What to say instead of the chart when ``df`` is empty.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("tr_anom_title", lang, measure=t(f"tr_measure_{measure}", lang))
    if df.empty:
        return _text_figure(title, subtitle, lang, message)
    months = _month_values(df["month"])
    flagged = df["flagged"].to_numpy(bool)
    value_name = t(_MEASURE_AXIS.get(measure, "tr_axis_rate"), lang)
    traces = [
        go.Scatter(
            x=months,
            y=df["upper"].to_numpy(float),
            mode="lines",
            name=t("tr_limits", lang),
            legendgroup="limits",
            line=dict(
                color=LIMIT_COLOUR, width=1.5, dash="dash", shape="hv" if rule.endswith("u-chart") else None
            ),
            hovertemplate=f"{t('tr_limits', lang)}<br>%{{x|%Y-%m}}: %{{y:.3g}}<extra></extra>",
        ),
        go.Scatter(
            x=months,
            y=df["lower"].to_numpy(float),
            mode="lines",
            name=t("tr_limits", lang),
            legendgroup="limits",
            showlegend=False,
            line=dict(
                color=LIMIT_COLOUR, width=1.5, dash="dash", shape="hv" if rule.endswith("u-chart") else None
            ),
            hovertemplate=f"{t('tr_limits', lang)}<br>%{{x|%Y-%m}}: %{{y:.3g}}<extra></extra>",
        ),
        go.Scatter(
            x=months,
            y=df["centre"].to_numpy(float),
            mode="lines",
            name=t("tr_centre", lang),
            line=dict(color="#111827", width=1.5),
            hovertemplate=f"{t('tr_centre', lang)}: %{{y:.3g}}<extra></extra>",
        ),
        go.Scatter(
            x=months,
            y=df["value"].to_numpy(float),
            mode="lines+markers",
            name=value_name,
            line=dict(color="#2171b5", width=2),
            marker=dict(size=6),
            hovertemplate=f"{value_name}<br>%{{x|%Y-%m}}: %{{y:.3g}}<extra></extra>",
        ),
        go.Scatter(
            x=months[flagged],
            y=df["value"].to_numpy(float)[flagged],
            mode="markers",
            name=t("tr_flagged", lang),
            marker=dict(color=ALERT_COLOUR, size=13, symbol="circle-open", line=dict(width=3)),
            hovertemplate=f"{t('tr_flagged', lang)}<br>%{{x|%Y-%m}}: %{{y:.3g}}<extra></extra>",
        ),
    ]
    fig = go.Figure(traces)
    shown = "–" if centre is None else f"{centre:.3g}"
    _note(
        fig,
        t("tr_rule_note", lang, rule=t(f"tr_rule_{rule}", lang), centre=shown, k=int(flagged.sum())),
        y=-0.2,
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=_month_axis(lang, len(df)),
        yaxis=dict(title=value_name if rule != "stl-residual" else t("tr_stl_resid", lang)),
        height=460,
        hovermode="closest",
        margin=dict(b=110),
    )
    return fig


def complaints_trend(
    df: pd.DataFrame,
    *,
    by: str | None = None,
    measure: str = "complaints",
    max_groups: int = TREND_MAX_GROUPS,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Monthly complaints: counts as (stacked) bars, or the rate per 10,000 customers as lines.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.trends.complaints_monthly` (``month, group, complaints,
        customers, rate_per_10k``).
    by : str, optional
        What the groups are (``category``, ``channel``, ``tier``, ``branch``, ``region``).
    measure : {"complaints", "rate"}
        Counts or the rate per 10,000 customers.
    max_groups : int
        At most this many groups are drawn, the largest by complaints; the figure says so.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    rate = measure == "rate"
    by_text = t(f"tr_by_{by}", lang) if by in ("channel", "category") else t(by, lang) if by else ""
    if lang == "en" and by:
        by_text = by_text.lower()
    key = "tr_comp_rate_title" if rate else "tr_comp_count_title"
    title = title or (t(f"{key}_by", lang, by=by_text) if by else t(key, lang))
    column = "rate_per_10k" if rate else "complaints"
    if df.empty or (rate and df["rate_per_10k"].notna().sum() == 0):
        return _text_figure(
            title, subtitle, lang, t("tr_comp_no_rate", lang) if rate and not df.empty else None
        )
    groups, total = _largest_groups(df, "complaints", max_groups)
    colours = _group_colours(groups)
    traces = []
    for group in groups:
        part = _rows_of(df, group)
        name = (
            trend_group_label(by, group, lang) if by else t("tr_complaints" if not rate else "tr_rate", lang)
        )
        colour = colours[group]
        customers = pd.to_numeric(part["customers"], errors="coerce").to_numpy("float64")
        common = dict(
            x=_month_values(part["month"]),
            y=part[column].to_numpy(float),
            name=name,
            customdata=np.column_stack([part["complaints"].to_numpy(float), customers]),
            hovertemplate=(
                f"{name}<br>%{{x|%Y-%m}}: %{{y:{'.2f' if rate else ',.0f'}}}"
                f"<br>{t('tr_complaints', lang)}: %{{customdata[0]:,.0f}}"
                f"<br>{t('tr_customers', lang)}: %{{customdata[1]:,.0f}}<extra></extra>"
            ),
        )
        if rate:
            traces.append(go.Scatter(**common, mode="lines+markers", line=dict(color=colour, width=2)))
        else:
            traces.append(go.Bar(**common, marker_color=colour))
    fig = go.Figure(traces)
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        barmode="stack",
        showlegend=by is not None,
        legend=_SIDE_LEGEND if by else {},
        xaxis=_month_axis(lang, df["month"].nunique()),
        yaxis=dict(title=t("tr_axis_rate" if rate else "tr_axis_complaints", lang), rangemode="tozero"),
        height=440,
        hovermode="closest",
        margin=dict(b=100),
    )
    if total > len(groups):
        what = t("tr_largest_by_complaints", lang)
        _note(fig, t("tr_largest_groups", lang, shown=len(groups), total=total, what=what))
    return fig


def pareto_chart(
    df: pd.DataFrame,
    *,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The complaint Pareto: bars per category (largest first) and the cumulative share as a line.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.trends.pareto` (``category, complaints, share,
        cumulative_share``), largest first; the line ends at 100%.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("tr_pareto_title", lang)
    if df.empty:
        return _text_figure(title, subtitle, lang)
    labels = [trend_group_label("category", c, lang) for c in df["category"]]
    share = df["share"].to_numpy(float) * 100
    cumulative = df["cumulative_share"].to_numpy(float) * 100
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=labels,
            y=df["complaints"].to_numpy(float),
            name=t("tr_complaints", lang),
            marker_color="#2171b5",
            customdata=share,
            hovertemplate="%{x}: %{y:,.0f} (%{customdata:.1f}%)<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=cumulative,
            name=t("tr_cumulative", lang),
            mode="lines+markers+text",
            line=dict(color="#fd8d3c", width=2),
            text=[f"{v:.0f}%" for v in cumulative],
            textposition="top center",
            hovertemplate=f"%{{x}}<br>{t('tr_cumulative', lang)}: %{{y:.1f}}%<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.add_hline(y=80, line=dict(color=LIMIT_COLOUR, dash="dot", width=1), secondary_y=True)
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(
            type="category",
            categoryorder="array",
            categoryarray=labels,
            tickangle=-30 if len(labels) > 6 else 0,
            automargin=True,
        ),
        height=500,
        hovermode="closest",
    )
    fig.update_yaxes(title_text=t("tr_axis_complaints", lang), secondary_y=False)
    fig.update_yaxes(
        title_text=t("tr_axis_cumulative", lang),
        range=[0, 110],
        ticksuffix="%",
        showgrid=False,
        secondary_y=True,
    )
    return fig


def backlog_chart(
    df: pd.DataFrame,
    *,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Complaints open at each month end, as a filled line.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.trends.backlog_monthly` (``month, open_at_month_end``).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("tr_backlog_title", lang)
    if df.empty:
        return _text_figure(title, subtitle, lang)
    fig = go.Figure(
        go.Scatter(
            x=_month_values(df["month"]),
            y=df["open_at_month_end"].to_numpy(float),
            mode="lines+markers",
            fill="tozeroy",
            fillcolor=_rgba("#807dba", 0.2),
            line=dict(color="#807dba", width=2),
            name=t("tr_axis_open", lang),
            hovertemplate=f"{t('tr_axis_open', lang)}<br>%{{x|%Y-%m}}: %{{y:,.0f}}<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=_month_axis(lang, len(df)),
        yaxis=dict(title=t("tr_axis_open", lang), rangemode="tozero"),
        height=380,
        showlegend=False,
    )
    return fig


def branch_link_scatter(
    df: pd.DataFrame,
    *,
    slope: float | None = None,
    intercept: float | None = None,
    r: float | None = None,
    p_value: float | None = None,
    n: int = 0,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """One point per branch: complaint rate (x) against mean satisfaction (y), with the fitted line.

    Parameters
    ----------
    df : pandas.DataFrame
        The ``frame`` of :class:`analytics.trends.BranchLink` (``branch, complaints_per_10k,
        mean_satisfaction, n, used, ...``). Branches left out of the fit are grey.
    slope, intercept : float, optional
        The fitted line (none drawn without them).
    r, p_value : float, optional
        Pearson's r and the slope's p-value, written on the chart with ``n``.
    n : int
        Branches in the fit.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("tr_link_branch_title", lang)
    shown = df[df["complaints_per_10k"].notna() & df["mean_satisfaction"].notna()] if not df.empty else df
    if shown.empty:
        return _text_figure(title, subtitle, lang)
    traces = []
    for used, name, colour in ((True, "tr_branch_used", "#2171b5"), (False, "tr_branch_unused", "#9ca3af")):
        part = shown[shown["used"].astype(bool) == used]
        if part.empty:
            continue
        traces.append(
            go.Scatter(
                x=part["complaints_per_10k"].to_numpy(float),
                y=part["mean_satisfaction"].to_numpy(float),
                mode="markers",
                name=t(name, lang),
                marker=dict(color=colour, size=9, opacity=0.8),
                text=part["branch"].astype(str).tolist(),
                customdata=np.column_stack([part["n"].to_numpy(float), part["complaints"].to_numpy(float)]),
                hovertemplate=(
                    "%{text}"
                    f"<br>{t('tr_axis_branch_rate', lang)}: %{{x:.2f}}"
                    f"<br>{t('tr_axis_branch_score', lang)}: %{{y:.2f}}"
                    f"<br>{t('tr_surveys', lang)}: %{{customdata[0]:,.0f}}"
                    f"<br>{t('tr_complaints', lang)}: %{{customdata[1]:,.0f}}<extra></extra>"
                ),
            )
        )
    if slope is not None and intercept is not None:
        used = shown[shown["used"].astype(bool)]
        x = np.array([used["complaints_per_10k"].min(), used["complaints_per_10k"].max()], dtype=float)
        traces.append(
            go.Scatter(
                x=x,
                y=intercept + slope * x,
                mode="lines",
                name=t("tr_fitted_line", lang),
                line=dict(color=ALERT_COLOUR, width=2, dash="dash"),
                hoverinfo="skip",
            )
        )
    fig = go.Figure(traces)
    if r is not None:
        _note(
            fig,
            t("tr_branch_note", lang, r=f"{r:+.2f}", p=p_phrase(p_value), n=n),
            y=-0.2,
        )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(title=t("tr_axis_branch_rate", lang), zeroline=False),
        yaxis=dict(title=t("tr_axis_branch_score", lang)),
        height=480,
        hovermode="closest",
        margin=dict(b=110),
    )
    return fig


def p_text(p: float | None) -> str:
    """A p-value as a person reads it: ``0.042``, ``< 0.001``, or ``n/a``."""
    if p is None or p != p:
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3g}"


def p_phrase(p: float | None) -> str:
    """A p-value in a sentence: ``p = 0.042``, ``p < 0.001`` or ``p = n/a``."""
    text = p_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


# -- Migration ------------------------------------------------------------------------------------
# Tier migration (analytics/migration.py): the transition matrix of two snapshots as a heatmap and
# a Sankey, net upgrades and high-tier losses per unit, the average monthly matrix with its
# confidence intervals, the Markov projection of the tier mix, the stationary mix and the backtest.

#: Origin states in display order (analytics.migration.FROM_STATES): new customers first.
MIGRATION_FROM: tuple[str, ...] = ("new", *TIER_ORDER)
#: Destination states in display order (analytics.migration.TO_STATES): closed last.
MIGRATION_TO: tuple[str, ...] = (*TIER_ORDER, "closed")
#: The two states that are not tiers, coloured apart from every tier.
STATE_COLOURS: dict[str, str] = {"new": "#e5c07b", "closed": "#7f1d1d"}
#: One colour per kind of move (analytics.migration.MOVE_KINDS, and new customers).
MOVE_COLOURS: dict[str, str] = {
    "upgrade": "#238b45",
    "stable": "#9ca3af",
    "downgrade": "#c0392b",
    "reclassified": "#807dba",
    "closed": "#7f1d1d",
    "new": "#d4a017",
}
#: What a cell of the transition heatmap can show.
MIGRATION_SHOW = ("counts", "share", "aum")


def state_label(state: str, lang: str = "en") -> str:
    """The display name of a migration state: a tier's name, or new / closed in words."""
    if state in ("new", "closed"):
        return t(f"mig_state_{state}", lang)
    return tier_label(state, lang)


def _state_colour(state: str) -> str:
    return STATE_COLOURS.get(state) or TIER_COLOURS.get(state, "#9ca3af")


def _with_note(subtitle: str | None, note: str) -> str:
    """The subtitle with a note on its own line (a method, an error), kept clear of the axes."""
    return f"{subtitle}<br>{note}" if subtitle else note


def _migration_axes(df: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Rows (``new`` and the tiers) and columns (the tiers and ``closed``) of a transition heatmap.

    The same tiers on both axes, in :data:`TIER_ORDER`: those that occur as origin or destination,
    so that the diagonal (no move) runs corner to corner.
    """
    present = set(df["from_state"]) | set(df["to_state"])
    tiers = [tier for tier in TIER_ORDER if tier in present]
    return ["new", *tiers], [*tiers, "closed"]


def transition_heatmap(
    df: pd.DataFrame,
    *,
    show: str = "counts",
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The transition matrix of two snapshots: origin (rows) by destination (columns).

    Rows are ``new`` then the tiers, columns the tiers then ``closed``, the tiers in
    :data:`TIER_ORDER` on both axes; the diagonal (customers who stayed) is outlined. Every
    cell's hover gives its customers, row share and AUM at both snapshots.

    Parameters
    ----------
    df : pandas.DataFrame
        :attr:`analytics.migration.Transition.counts` (``from_state, to_state, customers,
        aum_from, aum_to``), one row per state pair with customers.
    show : {"counts", "share", "aum"}
        What the cells show: customers, the share of the row (each row sums to 100%), or the AUM
        the cell carries (at the earlier snapshot; the ``new`` row at the later one, since new
        customers held nothing before).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it (both snapshots, filters, rules).
    """
    if show not in MIGRATION_SHOW:
        raise ValueError(f"show must be one of {MIGRATION_SHOW}, not {show!r}")
    title = title or t(f"mig_matrix_title_{show}", lang)
    if df.empty:
        return _message_figure(title, subtitle, lang, message="mig_no_moves")
    rows, cols = _migration_axes(df)

    def grid(column: str) -> np.ndarray:
        wide = df.pivot_table(
            index="from_state", columns="to_state", values=column, aggfunc="sum", fill_value=0
        )
        return wide.reindex(index=rows, columns=cols, fill_value=0).to_numpy("float64")

    customers, aum_from, aum_to = grid("customers"), grid("aum_from"), grid("aum_to")
    totals = customers.sum(axis=1, keepdims=True)
    share = np.divide(customers, totals, out=np.zeros_like(customers), where=totals > 0) * 100
    # AUM carried: at the earlier snapshot, except for new customers (at the later one).
    carried = aum_from.copy()
    carried[0] = aum_to[0]
    if show == "counts":
        z, text = customers, [[f"{int(v):,}" if v else "" for v in row] for row in customers]
        scale_title = t("customers", lang)
    elif show == "share":
        z = share
        text = [
            [f"{s:.1f}%" if n else "" for s, n in zip(r, c, strict=True)]
            for r, c in zip(share, customers, strict=True)
        ]
        scale_title = t("mig_row_share", lang)
    else:
        divisor, unit = money_scale(carried.ravel(), lang)
        z = carried / divisor
        text = [
            [format_money(v, lang) if n else "" for v, n in zip(r, c, strict=True)]
            for r, c in zip(carried, customers, strict=True)
        ]
        scale_title = unit
    customdata = np.dstack(
        [
            customers,
            share,
            np.vectorize(lambda v: money_text(v, lang), otypes=[object])(aum_from),
            np.vectorize(lambda v: money_text(v, lang), otypes=[object])(aum_to),
        ]
    ).tolist()
    row_labels = [state_label(s, lang) for s in rows]
    col_labels = [state_label(s, lang) for s in cols]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=col_labels,
            y=row_labels,
            colorscale="Blues",
            text=text,
            texttemplate="%{text}",
            customdata=customdata,
            hovertemplate=(
                "%{y} → %{x}"
                f"<br>{t('customers', lang)}: %{{customdata[0]:,.0f}}"
                f" (%{{customdata[1]:.1f}}% {t('mig_of_row', lang)})"
                f"<br>{t('mig_aum_then', lang)}: %{{customdata[2]}}"
                f"<br>{t('mig_aum_now', lang)}: %{{customdata[3]}}<extra></extra>"
            ),
            colorbar=dict(title=dict(text=scale_title, side="right"), thickness=14),
            xgap=1,
            ygap=1,
        )
    )
    # The diagonal (stayed in the tier): tier k is row k + 1 (after "new") and column k.
    for k in range(len(cols) - 1):
        fig.add_shape(
            type="rect",
            x0=k - 0.5,
            x1=k + 0.5,
            y0=k + 0.5,
            y1=k + 1.5,
            line=dict(color="#111827", width=1.5),
            fillcolor="rgba(0,0,0,0)",
        )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(
            title=dict(text=t("mig_axis_to", lang), standoff=12),
            type="category",
            categoryorder="array",
            categoryarray=col_labels,
            tickangle=-35 if len(cols) > 6 else 0,
            automargin=True,
            showgrid=False,
        ),
        yaxis=dict(
            title=dict(text=t("mig_axis_from", lang), standoff=10),
            type="category",
            categoryorder="array",
            categoryarray=row_labels,
            autorange="reversed",  # new on top, then the tiers in order
            automargin=True,
            showgrid=False,
        ),
        height=max(380, 190 + 38 * len(rows)),
    )
    return fig


def _column_positions(sizes: list[float], *, even: float = 0.5) -> list[float]:
    """Centres (0 top, 1 bottom) of nodes stacked in a Sankey column, in the order given.

    Each node gets a slot of the column: ``1 - even`` of it in proportion to the node's size,
    ``even`` of it shared equally, so that small tiers keep room for their labels. Positions stay
    inside (0, 1): Plotly ignores a node position of exactly 0.
    """
    n = len(sizes)
    total = float(sum(sizes)) or 1.0
    slots = [(1 - even) * size / total + even / n for size in sizes]
    centres, top = [], 0.0
    for slot in slots:
        centres.append(min(max(0.01 + 0.98 * (top + slot / 2), 0.001), 0.999))
        top += slot
    return centres


def transition_sankey(
    df: pd.DataFrame,
    *,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
    from_label: str | None = None,
    to_label: str | None = None,
) -> go.Figure:
    """Customers flowing from their tier at one snapshot to their tier at the next.

    Plotly places Sankey nodes itself and does not keep their order, so every node has its
    position: origins (``new``, then the tiers in :data:`TIER_ORDER`) in the left column top to
    bottom, destinations (the tiers, then ``closed``) in the right column. Links are coloured by
    the kind of move when ``df`` has a ``kind`` column (:meth:`Transition.with_kinds`).

    Parameters
    ----------
    df : pandas.DataFrame
        :attr:`analytics.migration.Transition.counts` (``from_state, to_state, customers, ...``),
        optionally with ``kind``.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    from_label, to_label : str, optional
        Headings of the two columns (e.g. the snapshot dates).
    """
    title = title or t("mig_sankey_title", lang)
    flows = df[df["customers"] > 0] if not df.empty else df
    if flows.empty:
        return _message_figure(title, subtitle, lang, message="mig_no_moves")
    out_of = flows.groupby("from_state")["customers"].sum()
    into = flows.groupby("to_state")["customers"].sum()
    left = [s for s in MIGRATION_FROM if s in out_of.index]
    right = [s for s in MIGRATION_TO if s in into.index]
    index = {("from", s): i for i, s in enumerate(left)}
    index |= {("to", s): len(left) + j for j, s in enumerate(right)}
    sizes = [float(out_of[s]) for s in left] + [float(into[s]) for s in right]
    labels = [f"{state_label(s, lang)} · {format_count(int(out_of[s]), lang)}" for s in left]
    labels += [f"{state_label(s, lang)} · {format_count(int(into[s]), lang)}" for s in right]
    x = [0.001] * len(left) + [0.999] * len(right)
    y = _column_positions(sizes[: len(left)]) + _column_positions(sizes[len(left) :])
    # The node gap leaves each column the room _column_positions shares out evenly, so that the
    # nodes sit where they are placed instead of being pushed together.
    most = max(len(left), len(right))
    height = max(460, 150 + 40 * most)
    pad = max(8, int(0.52 * (height - 150) / max(most - 1, 1)))
    kinds = list(flows["kind"]) if "kind" in flows else [None] * len(flows)
    link_colours = [_rgba(MOVE_COLOURS.get(k, "#9ca3af") if k else "#9ca3af", 0.45) for k in kinds]
    kind_text = [t(f"mig_kind_{k}", lang) if k else "" for k in kinds]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",.0f",
            node=dict(
                label=labels,
                x=x,
                y=y,
                pad=pad,
                thickness=18,
                color=[_state_colour(s) for s in left] + [_state_colour(s) for s in right],
                line=dict(color="#6b7280", width=0.5),
                hovertemplate=f"%{{label}}<br>{t('customers', lang)}: %{{value:,.0f}}<extra></extra>",
            ),
            link=dict(
                source=[index[("from", s)] for s in flows["from_state"]],
                target=[index[("to", s)] for s in flows["to_state"]],
                value=flows["customers"].to_numpy("float64"),
                color=link_colours,
                customdata=kind_text,
                hovertemplate=(
                    "%{source.label} → %{target.label}"
                    f"<br>{t('customers', lang)}: %{{value:,.0f}}<br>%{{customdata}}<extra></extra>"
                ),
            ),
        )
    )
    for pos, text, anchor in ((0, from_label, "left"), (1, to_label, "right")):
        if text:
            fig.add_annotation(
                text=f"<b>{text}</b>",
                x=pos,
                y=1.0,
                xref="paper",
                yref="paper",
                xanchor=anchor,
                yanchor="bottom",
                showarrow=False,
                font=dict(size=13, color="#374151"),
            )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        height=height,
        margin=dict(t=120, l=20, r=20, b=30),
    )
    return fig


def unit_migration_bars(
    df: pd.DataFrame,
    *,
    measure: str = "net_upgrades",
    level: str = "branch",
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
    limit: int = 40,
) -> go.Figure:
    """Organisation units by net upgrades (upgrades - downgrades) or by high-tier losses.

    Every bar carries the unit's name as its first ``customdata`` item, so that a selection
    names the unit to drill into (as the overview's league does).

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.migration.transition_by_unit` (``name, customers_from,
        upgrades, downgrades, closed, net_upgrades, upgrade_rate, downgrade_rate,
        closure_rate, high_tier_losses, high_tier_loss_aum, ...``).
    measure : {"net_upgrades", "high_tier_losses"}
        Net upgrades (most on top; beyond ``limit`` units the best and the worst halves) or
        high-tier losses (most on top; units without losses left out).
    level : {"region", "branch", "rm_id"}
        What the units are (for the title).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    limit : int
        At most this many bars.
    """
    if measure not in ("net_upgrades", "high_tier_losses"):
        raise ValueError(f"measure must be net_upgrades or high_tier_losses, not {measure!r}")
    level_text = level_name(level, lang)
    title = title or t(f"mig_unit_{measure}_title", lang, level=level_text)
    if measure == "net_upgrades":
        frame = df.sort_values(["net_upgrades", "name"], ascending=[False, True], kind="stable")
        if len(frame) > limit:
            frame = pd.concat([frame.head(limit // 2), frame.tail(limit - limit // 2)])
    else:
        frame = df[df["high_tier_losses"] > 0].sort_values(
            ["high_tier_losses", "high_tier_loss_aum", "name"], ascending=[False, False, True], kind="stable"
        )
        frame = frame.head(limit)
    if frame.empty:
        message = "mig_no_units" if measure == "net_upgrades" else "mig_no_losses"
        return _message_figure(title, subtitle, lang, message=message)
    frame = frame.iloc[::-1]  # plotly draws the first category at the bottom
    values = frame[measure].to_numpy("float64")
    if measure == "net_upgrades":
        colours = [
            MOVE_COLOURS["upgrade"] if v > 0 else MOVE_COLOURS["downgrade"] if v < 0 else "#9ca3af"
            for v in values
        ]
        text = [f"{int(v):+,}" for v in values]
    else:
        colours = [MOVE_COLOURS["closed"]] * len(values)
        text = [
            f"{int(v):,} · {format_money(a, lang)}"
            for v, a in zip(values, frame["high_tier_loss_aum"], strict=True)
        ]

    def pct(v) -> str:
        return t("ov_na", lang) if v != v else f"{v * 100:.1f}%"

    names = frame["name"].astype(str).tolist()
    customdata = list(
        zip(
            names,
            frame["customers_from"].astype("int64").tolist(),
            frame["upgrades"].astype("int64").tolist(),
            frame["downgrades"].astype("int64").tolist(),
            frame["closed"].astype("int64").tolist(),
            [pct(v) for v in frame["upgrade_rate"]],
            [pct(v) for v in frame["downgrade_rate"]],
            [pct(v) for v in frame["closure_rate"]],
            frame["high_tier_losses"].astype("int64").tolist(),
            [money_text(v, lang) for v in frame["high_tier_loss_aum"]],
            strict=True,
        )
    )
    fig = go.Figure(
        go.Bar(
            y=names,
            x=values,
            orientation="h",
            marker_color=colours,
            text=text,
            textposition="outside",
            cliponaxis=False,
            customdata=customdata,
            hovertemplate=(
                "%{customdata[0]}"
                f"<br>{t('mig_customers_from', lang)}: %{{customdata[1]:,}}"
                f"<br>{t('mig_kind_upgrade', lang)}: %{{customdata[2]:,}} (%{{customdata[5]}})"
                f"<br>{t('mig_kind_downgrade', lang)}: %{{customdata[3]:,}} (%{{customdata[6]}})"
                f"<br>{t('mig_kind_closed', lang)}: %{{customdata[4]:,}} (%{{customdata[7]}})"
                f"<br>{t('mig_high_tier_losses', lang)}: %{{customdata[8]:,}} (%{{customdata[9]}})<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(title=t(f"mig_axis_{measure}", lang), zeroline=True, zerolinecolor="#6b7280"),
        yaxis=dict(categoryorder="array", categoryarray=names, type="category", automargin=True),
        height=max(320, 150 + 26 * len(frame)),
        margin=dict(r=90, l=90),
        clickmode="event+select",
        showlegend=False,
    )
    return fig


def average_matrix_heatmap(
    df: pd.DataFrame,
    *,
    ci_method: str = "wilson",
    confidence: float = 0.95,
    pairs: int | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The average monthly transition matrix (cohort estimator), with the interval of every cell.

    Cells show p_ij, the probability of moving from tier i (rows, :data:`TIER_ORDER`) to state j
    (the tiers, then ``closed``) in one month; the hover gives the confidence interval and the
    pooled counts behind it (n_ij of n_i customer-months); the note under the plot names the
    interval method and the number of months pooled.

    Parameters
    ----------
    df : pandas.DataFrame
        :meth:`analytics.migration.AverageTransition.long` (``from_state, to_state, customers,
        exposure, p, lower, upper``).
    ci_method : {"wilson", "goodman"}
        The interval method (named on the chart).
    confidence : float
        The intervals' confidence level.
    pairs : int, optional
        Monthly pairs pooled (named on the chart).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("mig_avg_title", lang)
    if df.empty:
        return _message_figure(title, subtitle, lang, message="mig_no_moves")
    present = set(df["from_state"]) | set(df["to_state"])
    rows = [tier for tier in TIER_ORDER if tier in present]
    cols = [*rows, "closed"]

    def grid(column: str) -> np.ndarray:
        wide = df.pivot_table(
            index="from_state", columns="to_state", values=column, aggfunc="sum", dropna=False
        )
        return wide.reindex(index=rows, columns=cols).to_numpy("float64")

    p, lower, upper = grid("p") * 100, grid("lower") * 100, grid("upper") * 100
    counts = np.nan_to_num(grid("customers"))
    exposure = df.groupby("from_state")["exposure"].max().reindex(rows).fillna(0).to_numpy("float64")
    text = [
        [("<0.1%" if v < 0.05 else f"{v:.1f}%") if v == v and n else "" for v, n in zip(r, c, strict=True)]
        for r, c in zip(p, counts, strict=True)
    ]
    customdata = np.dstack([lower, upper, counts, np.broadcast_to(exposure[:, None], p.shape)]).tolist()
    level = f"{confidence * 100:g}%"
    method = t(f"mig_ci_{ci_method}", lang)
    row_labels = [tier_label(s, lang) for s in rows]
    col_labels = [state_label(s, lang) for s in cols]
    fig = go.Figure(
        go.Heatmap(
            z=p,
            x=col_labels,
            y=row_labels,
            colorscale="Blues",
            zmin=0,
            zmax=100,
            text=text,
            texttemplate="%{text}",
            customdata=customdata,
            hovertemplate=(
                f"%{{y}} → %{{x}}<br>{t('mig_monthly_p', lang)}: %{{z:.2f}}%"
                f"<br>{level} {t('mig_ci', lang)} ({method}): %{{customdata[0]:.2f}}% – %{{customdata[1]:.2f}}%"
                f"<br>n = %{{customdata[2]:,.0f}} / %{{customdata[3]:,.0f}} {t('mig_customer_months', lang)}"
                "<extra></extra>"
            ),
            colorbar=dict(
                title=dict(text=t("mig_monthly_p", lang), side="right"), ticksuffix="%", thickness=14
            ),
            xgap=1,
            ygap=1,
        )
    )
    note = t("mig_avg_note", lang, level=level, method=method, pairs="–" if pairs is None else pairs)
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, _with_note(subtitle, note)),
        xaxis=dict(
            title=dict(text=t("mig_axis_next_month", lang), standoff=12),
            type="category",
            categoryorder="array",
            categoryarray=col_labels,
            tickangle=-35 if len(cols) > 6 else 0,
            automargin=True,
            showgrid=False,
        ),
        yaxis=dict(
            title=dict(text=t("mig_axis_this_month", lang), standoff=10),
            type="category",
            categoryorder="array",
            categoryarray=row_labels,
            autorange="reversed",
            automargin=True,
            showgrid=False,
        ),
        height=max(400, 220 + 38 * len(rows)),
        margin=dict(t=120),
    )
    return fig


def projection_chart(
    df: pd.DataFrame,
    *,
    start_label: str | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The projected tier mix, month by month: stacked shares of customers (100% at every month).

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.migration.project` (``month, tier, customers, share``);
        month 0 is the actual mix the projection starts from.
    start_label : str, optional
        The snapshot month 0 is (named on the axis).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("mig_projection_title", lang)
    if df.empty or df["customers"].sum() <= 0:
        return _message_figure(title, subtitle, lang, message="mig_no_moves")
    tiers = [tier for tier in TIER_ORDER if tier in set(df["tier"])]
    traces = []
    for tier in tiers:
        part = df[df["tier"] == tier].sort_values("month")
        colour = TIER_COLOURS.get(tier, "#9ca3af")
        name = tier_label(tier, lang)
        traces.append(
            go.Scatter(
                x=part["month"].to_numpy("int64"),
                y=part["share"].to_numpy("float64") * 100,
                name=name,
                mode="lines",
                stackgroup="mix",
                line=dict(width=0.5, color=colour),
                fillcolor=colour,
                customdata=part["customers"].to_numpy("float64"),
                hovertemplate=(
                    f"{name}<br>{t('mig_month_hover', lang)}: %{{y:.1f}}%"
                    f"<br>{t('customers', lang)}: %{{customdata:,.0f}}<extra></extra>"
                ),
            )
        )
    fig = go.Figure(traces)
    axis = t("mig_axis_months_ahead", lang)
    if start_label:
        axis = t("mig_axis_months_after", lang, date=start_label)
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(title=axis, dtick=1, range=[0, int(df["month"].max())]),
        yaxis=dict(title=t("mig_axis_share", lang), ticksuffix="%", range=[0, 100]),
        # The legend beside the plot, top to bottom as the areas stack.
        legend=dict(orientation="v", yanchor="top", y=1, xanchor="left", x=1.02, traceorder="reversed"),
        height=max(460, 160 + 24 * len(tiers)),
        hovermode="closest",
    )
    return fig


def stationary_mix_bars(
    df: pd.DataFrame,
    *,
    method: str = "inflow",
    current_label: str | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The tier mix now next to the mix the window's behaviour tends to (the stationary mix).

    Parameters
    ----------
    df : pandas.DataFrame
        ``tier, current_share, stationary_share`` (fractions), tiers in :data:`TIER_ORDER`.
    method : {"inflow", "renormalised"}
        How the stationary mix was found (``attrs["method"]`` of
        :func:`analytics.migration.stationary_mix`), named under the plot.
    current_label : str, optional
        The snapshot of the current mix (legend).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("mig_stationary_title", lang)
    if df.empty:
        return _message_figure(title, subtitle, lang, message="mig_no_moves")
    labels = [tier_label(tier, lang) for tier in df["tier"]]
    colours = [TIER_COLOURS.get(tier, "#9ca3af") for tier in df["tier"]]
    now = df["current_share"].to_numpy("float64") * 100
    steady = df["stationary_share"].to_numpy("float64") * 100
    current_name = (
        t("mig_current_mix", lang) if not current_label else f"{t('mig_current_mix', lang)} ({current_label})"
    )
    fig = go.Figure(
        [
            go.Bar(
                x=labels,
                y=now,
                name=current_name,
                marker=dict(color=colours, opacity=0.45, line=dict(color="#6b7280", width=0.5)),
                hovertemplate="%{x}: %{y:.1f}%<extra>" + current_name + "</extra>",
            ),
            go.Bar(
                x=labels,
                y=steady,
                name=t("mig_stationary_mix", lang),
                marker=dict(color=colours, line=dict(color="#111827", width=1)),
                hovertemplate="%{x}: %{y:.1f}%<extra>" + t("mig_stationary_mix", lang) + "</extra>",
            ),
        ]
    )
    return _tier_share_bars_layout(
        fig, labels, title=_title(title, _with_note(subtitle, t(f"mig_stationary_{method}", lang))), lang=lang
    )


def backtest_chart(
    df: pd.DataFrame,
    *,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """A backtest: the projected tier shares against the actual ones, with the mean absolute error.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.migration.backtest` (``tier, projected, actual,
        projected_share, actual_share, share_error, abs_share_error``); ``attrs`` carry
        ``origin``, ``target_date``, ``horizon`` and ``mean_abs_share_error``.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    horizon = df.attrs.get("horizon")
    title = title or t("mig_backtest_title", lang, h=horizon if horizon is not None else "–")
    if df.empty:
        return _message_figure(title, subtitle, lang, message="mig_no_moves")
    labels = [tier_label(tier, lang) for tier in df["tier"]]
    projected = df["projected_share"].to_numpy("float64") * 100
    actual = df["actual_share"].to_numpy("float64") * 100
    origin, target = df.attrs.get("origin"), df.attrs.get("target_date")
    traces = [
        go.Bar(
            x=labels,
            y=projected,
            name=t("mig_projected", lang),
            marker_color="#fd8d3c",
            customdata=df["projected"].to_numpy("float64"),
            hovertemplate=(
                f"%{{x}}<br>{t('mig_projected', lang)}: %{{y:.1f}}% (%{{customdata:,.0f}})<extra></extra>"
            ),
        )
    ]
    if target is not None:
        traces.append(
            go.Bar(
                x=labels,
                y=actual,
                name=t("mig_actual", lang),
                marker_color="#2171b5",
                customdata=df["actual"].to_numpy("float64"),
                hovertemplate=(
                    f"%{{x}}<br>{t('mig_actual', lang)}: %{{y:.1f}}% (%{{customdata:,.0f}})<extra></extra>"
                ),
            )
        )
    fig = go.Figure(traces)
    mae = df.attrs.get("mean_abs_share_error")
    if target is not None and mae == mae and mae is not None:
        note = t(
            "mig_backtest_note",
            lang,
            origin=getattr(origin, "isoformat", lambda: str(origin))(),
            target=target.isoformat(),
            mae=f"{mae * 100:.2f}",
        )
    else:
        note = t("mig_backtest_no_actual", lang)
    return _tier_share_bars_layout(fig, labels, title=_title(title, _with_note(subtitle, note)), lang=lang)


def _tier_share_bars_layout(fig: go.Figure, labels: list[str], *, title: dict, lang: str) -> go.Figure:
    # Grouped bars of tier shares (stationary mix, backtest): tiers in their order on x.
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        barmode="group",
        xaxis=dict(
            type="category",
            categoryorder="array",
            categoryarray=labels,
            tickangle=-35 if len(labels) > 6 else 0,
            automargin=True,
        ),
        yaxis=dict(title=t("mig_axis_share", lang), ticksuffix="%", rangemode="tozero"),
        legend=dict(
            orientation="v", yanchor="top", y=1, xanchor="right", x=1, bgcolor="rgba(255,255,255,0.8)"
        ),
        height=480,
        margin=dict(t=130),
    )
    return fig


# -- threshold tuner ---------------------------------------------------------------------------

TUNER_MEASURES = ("customers", "aum", "profit")
BASELINE_COLOUR, SCENARIO_COLOUR = "#9ca3af", "#2171b5"


def tuner_tier_bars(
    df: pd.DataFrame,
    *,
    measure: str = "customers",
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Baseline against scenario per tier: customers, AUM or profit contribution.

    Parameters
    ----------
    df : pandas.DataFrame
        :attr:`analytics.tuner.Simulation.tiers` (``tier, baseline_<m>, scenario_<m>``).
    measure : {"customers", "aum", "profit"}
        What the bars show; money in the language's unit (万/亿 in Chinese).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it (snapshot, filters, rules).
    """
    if measure not in TUNER_MEASURES:
        raise ValueError(f"measure must be one of {TUNER_MEASURES}, not {measure!r}")
    title = title or t(f"tu_bars_title_{measure}", lang)
    frame = df[(df["baseline_customers"] > 0) | (df["scenario_customers"] > 0)]
    if frame.empty:
        return _message_figure(title, subtitle, lang, message="empty_selection")
    labels = [tier_label(x, lang) for x in frame["tier"]]
    base = frame[f"baseline_{measure}"].to_numpy("float64")
    scen = frame[f"scenario_{measure}"].to_numpy("float64")
    if measure == "customers":
        divisor, unit = 1.0, t("customers", lang)
    else:
        divisor, unit = money_scale(np.concatenate([base, scen]), lang)
    fig = go.Figure()
    for name, values, colour in (
        (t("tu_baseline", lang), base, BASELINE_COLOUR),
        (t("tu_scenario", lang), scen, SCENARIO_COLOUR),
    ):
        fig.add_bar(
            x=labels,
            y=values / divisor,
            name=name,
            marker_color=colour,
            hovertemplate="%{x}<br>" + name + ": %{y:,.1f} " + unit + "<extra></extra>",
        )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        barmode="group",
        yaxis_title=unit,
        xaxis=dict(automargin=True, tickangle=-35),
        height=480,
        margin=dict(t=120),
    )
    return fig


def tuner_movement_heatmap(
    df: pd.DataFrame,
    *,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Customers by baseline tier (rows) and scenario tier (columns), tiers in the fixed order.

    Parameters
    ----------
    df : pandas.DataFrame
        :attr:`analytics.tuner.Simulation.movement` (``from_tier, to_tier, customers, aum,
        profit``).
    """
    title = title or t("tu_movement_title", lang)
    if df.empty:
        return _message_figure(title, subtitle, lang, message="empty_selection")
    present = set(df["from_tier"]) | set(df["to_tier"])
    order = [x for x in TIER_ORDER if x in present]
    wide = df.pivot_table(
        index="from_tier", columns="to_tier", values="customers", aggfunc="sum", fill_value=0
    )
    z = wide.reindex(index=order, columns=order, fill_value=0).to_numpy("float64")
    aum = df.pivot_table(index="from_tier", columns="to_tier", values="aum", aggfunc="sum", fill_value=0)
    aum = aum.reindex(index=order, columns=order, fill_value=0).to_numpy("float64")
    labels = [tier_label(x, lang) for x in order]
    # Stayers dominate the colour scale; colour the moves on their own scale (diagonal grey)
    moves = z.copy()
    np.fill_diagonal(moves, np.nan)
    text = [[f"{int(v):,}" if v else "" for v in row] for row in z]
    custom = [[format_money(a, lang) for a in row] for row in aum]
    fig = go.Figure(
        go.Heatmap(
            z=moves,
            x=labels,
            y=labels,
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            # light blues only, so that the counts printed in the cells stay readable
            colorscale=[[0, "#f7fbff"], [1, "#6baed6"]],
            colorbar=dict(title=t("customers", lang)),
            hovertemplate=t("tu_movement_hover", lang) + "<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=np.where(np.eye(len(order)) == 1, z, np.nan),
            x=labels,
            y=labels,
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            colorscale=[[0, "#f3f4f6"], [1, "#f3f4f6"]],
            showscale=False,
            hovertemplate=t("tu_movement_hover", lang) + "<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(title=t("tu_scenario_tier", lang), side="bottom"),
        yaxis=dict(title=t("tu_baseline_tier", lang), autorange="reversed"),
        height=max(360, 60 + 36 * len(order)),
        margin=dict(t=120, l=160),
    )
    return fig


def tuner_workload_bars(
    df: pd.DataFrame,
    *,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
    limit: int = 40,
) -> go.Figure:
    """Relationship managers needed per branch under baseline and scenario, with those there.

    Parameters
    ----------
    df : pandas.DataFrame
        :attr:`analytics.tuner.Simulation.workload` (``branch, managers,
        baseline_managers_needed, scenario_managers_needed``).
    limit : int
        At most this many branches (those needing the most under the scenario).
    """
    title = title or t("tu_workload_title", lang)
    if df.empty:
        return _message_figure(title, subtitle, lang, message="empty_selection")
    frame = (
        df.sort_values(["scenario_managers_needed", "branch"], ascending=[False, True]).head(limit).iloc[::-1]
    )
    fig = go.Figure()
    for column, name, colour in (
        ("baseline_managers_needed", t("tu_baseline", lang), BASELINE_COLOUR),
        ("scenario_managers_needed", t("tu_scenario", lang), SCENARIO_COLOUR),
    ):
        fig.add_bar(
            y=frame["branch"].astype(str),
            x=frame[column],
            name=name,
            orientation="h",
            marker_color=colour,
            hovertemplate="%{y}<br>" + name + ": %{x:,.1f}<extra></extra>",
        )
    fig.add_scatter(
        y=frame["branch"].astype(str),
        x=frame["managers"],
        mode="markers",
        name=t("tu_managers_there", lang),
        marker=dict(symbol="line-ns-open", size=18, color="#c0392b", line=dict(width=3)),
        hovertemplate="%{y}<br>" + t("tu_managers_there", lang) + ": %{x:,}<extra></extra>",
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        barmode="group",
        xaxis_title=t("tu_managers_axis", lang),
        height=max(380, 120 + 26 * len(frame)),
        margin=dict(t=120, l=160),
    )
    return fig


# -- service standards -------------------------------------------------------------------------

STANDARD_MET_COLOUR, STANDARD_MISSED_COLOUR, STANDARD_EMPTY_COLOUR = "#238b45", "#c0392b", "#d1d5db"
#: The ``measure`` of :func:`standards_league_bars` that ranks by the combined score.
STANDARD_SCORE = "score"


def standard_group_label(tiers, lang: str = "en") -> str:
    """The customers a measure covers: ``Affluent``, ``Affluent and above`` or ``Mass + Private banking``.

    ``tiers`` is a sequence of retail tier ids, or the comma-separated text of the standards frames.
    """
    tiers = [x for x in (tiers.split(",") if isinstance(tiers, str) else tiers) if x]
    if len(tiers) == 1:
        return tier_label(tiers[0], lang)
    if tiers and tiers[0] in RETAIL_TIERS and tiers == list(RETAIL_TIERS[RETAIL_TIERS.index(tiers[0]) :]):
        return t("std_and_above", lang, tier=tier_label(tiers[0], lang))
    return " + ".join(tier_label(x, lang) for x in tiers)


def standard_measure_label(measure: str, tiers=None, lang: str = "en") -> str:
    """A measure of the service standards by name: ``Contacts``, ``Profile coverage · Affluent and
    above`` (a coverage target names its group), ``Combined score`` for :data:`STANDARD_SCORE`."""
    if measure == STANDARD_SCORE:
        return t("std_score", lang)
    standard, _, low = measure.partition(".")
    name = t(f"std_name_{standard}", lang)
    if low:
        if tiers is not None:
            group = tiers
        else:  # a coverage target counts its tier and every tier above it
            group = RETAIL_TIERS[RETAIL_TIERS.index(low) :] if low in RETAIL_TIERS else [low]
        return f"{name} · {standard_group_label(group, lang)}"
    return name


def standard_requirement_text(row, lang: str = "en") -> str:
    """What one row of :attr:`analytics.standards.Compliance.by_tier` asks: ``Contacts ≥ 2 a
    month``, ``Profile coverage``, ``All key products held``."""
    required = row["required"]
    if row["kind"] == "customer" and pd.notna(required):
        return t(f"std_req_{row['standard']}", lang, n=int(required))
    return t(f"std_req_{row['standard']}", lang)


def standard_row_label(row, lang: str = "en") -> str:
    """One row of :attr:`analytics.standards.Compliance.by_tier` by name, with its requirement:
    ``Contacts ≥ 2 a month · Affluent``, ``Profile coverage · Emerging and above``."""
    return f"{standard_requirement_text(row, lang)} · {standard_group_label(row['tiers'], lang)}"


def _pct_text(value: float, lang: str) -> str:
    return t("ov_na", lang) if value != value else f"{value * 100:.1f}%"


def standards_tier_bars(
    df: pd.DataFrame,
    *,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Share of customers meeting each service standard per tier, against its target.

    One horizontal bar per row, in the order of the frame (customer-level standards tier by
    tier, then the portfolio targets), the first on top; green where the share reaches the
    target, red where it does not, grey without customers. A tick marks each target.

    Parameters
    ----------
    df : pandas.DataFrame
        :attr:`analytics.standards.Compliance.by_tier` (``standard, kind, tiers, required,
        target, customers, met, share, meets_target, shortfall``).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it (snapshot, filters, rules).
    """
    title = title or t("std_tier_chart_title", lang)
    if df.empty:
        return _message_figure(title, subtitle, lang, message="std_no_units")
    frame = df.iloc[::-1]  # plotly draws the first category at the bottom
    labels = [standard_row_label(row, lang) for _, row in frame.iterrows()]
    share = frame["share"].to_numpy("float64")
    empty = frame["customers"].to_numpy() == 0
    meets = frame["meets_target"].fillna(False).to_numpy(dtype=bool)
    colours = [
        STANDARD_EMPTY_COLOUR if e else STANDARD_MET_COLOUR if m else STANDARD_MISSED_COLOUR
        for e, m in zip(empty, meets, strict=True)
    ]
    text = [
        t("std_no_customers", lang) if e else f"{s * 100:.1f}% ({met:,} / {n:,})"
        for e, s, met, n in zip(empty, share, frame["met"], frame["customers"], strict=True)
    ]
    customdata = list(
        zip(
            frame["customers"].astype("int64").tolist(),
            frame["met"].astype("int64").tolist(),
            [_pct_text(v, lang) for v in share],
            [f"{v * 100:g}%" for v in frame["target"]],
            frame["shortfall"].astype("int64").tolist(),
            strict=True,
        )
    )
    x = np.nan_to_num(share) * 100
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=x,
            orientation="h",
            marker_color=colours,
            text=text,
            # inside the bar from its start, clear of the target ticks; a short bar's text after it
            textposition=["inside" if v >= 30 else "outside" for v in x],
            insidetextanchor="start",
            insidetextfont=dict(color="white"),
            outsidetextfont=dict(color="#1f2937"),
            cliponaxis=False,
            name=t("std_axis_share", lang),
            customdata=customdata,
            hovertemplate=(
                "%{y}"
                f"<br>{t('std_hover_customers', lang)}: %{{customdata[0]:,}}"
                f"<br>{t('std_hover_met', lang)}: %{{customdata[1]:,}} (%{{customdata[2]}})"
                f"<br>{t('std_target', lang)}: %{{customdata[3]}}"
                f"<br>{t('std_hover_shortfall', lang)}: %{{customdata[4]:,}}<extra></extra>"
            ),
            showlegend=False,
        )
    )
    fig.add_scatter(
        y=labels,
        x=frame["target"].to_numpy("float64") * 100,
        mode="markers",
        name=t("std_target", lang),
        marker=dict(symbol="line-ns-open", size=22, color="#1f2937", line=dict(width=3)),
        hovertemplate="%{y}<br>" + t("std_target", lang) + ": %{x:.0f}%<extra></extra>",
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(
            title=t("std_axis_share", lang), range=[0, 104], ticksuffix="%", tickvals=[0, 20, 40, 60, 80, 100]
        ),
        yaxis=dict(categoryorder="array", categoryarray=labels, type="category", automargin=True),
        height=max(360, 150 + 30 * len(frame)),
        margin=dict(t=120, r=40),
        showlegend=True,
    )
    return fig


def standards_league_bars(
    df: pd.DataFrame,
    *,
    measure: str = STANDARD_SCORE,
    target: float | None = None,
    level: str = "branch",
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
    limit: int = 40,
) -> go.Figure:
    """Organisation units by their combined service score, or by their share meeting one measure.

    Best on top; beyond ``limit`` units the best and the worst halves. Green where the unit
    reaches the target, red where it does not; a dashed line marks the target. Every bar
    carries the unit's name as its first ``customdata`` item, so that a selection names the
    unit to drill into (as the overview's league does).

    Parameters
    ----------
    df : pandas.DataFrame
        :attr:`analytics.standards.UnitCompliance.league` (``name, in_scope, not_served,
        score, measures_met, measures_applicable`` and one share column per measure id).
    measure : str
        ``"score"`` or a measure id (a column of ``df``); units without customers under it
        are left out.
    target : float, optional
        The share the measure must reach (1.0 for the score and customer-level standards,
        the default).
    level : {"region", "branch", "rm_id"}
        What the units are (for the title).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    limit : int
        At most this many bars.
    """
    level_text = level_name(level, lang)
    label = standard_measure_label(measure, lang=lang)
    title = title or t("std_league_title", lang, measure=label, level=level_text)
    target = 1.0 if target is None else float(target)
    if measure not in df.columns:
        return _message_figure(title, subtitle, lang, message="std_no_units")
    frame = df[df[measure].notna()].sort_values([measure, "in_scope", "name"], ascending=[False, False, True])
    if frame.empty:
        return _message_figure(title, subtitle, lang, message="std_no_units")
    if len(frame) > limit:
        frame = pd.concat([frame.head(limit // 2), frame.tail(limit - limit // 2)])
    frame = frame.iloc[::-1]
    values = frame[measure].to_numpy("float64")
    colours = [STANDARD_MET_COLOUR if v >= target - 1e-9 else STANDARD_MISSED_COLOUR for v in values]
    names = frame["name"].astype(str).tolist()
    customdata = list(
        zip(
            names,
            frame["in_scope"].astype("int64").tolist(),
            frame["not_served"].astype("int64").tolist(),
            [f"{m} / {n}" for m, n in zip(frame["measures_met"], frame["measures_applicable"], strict=True)],
            [_pct_text(v, lang) for v in frame["score"]],
            strict=True,
        )
    )
    fig = go.Figure(
        go.Bar(
            y=names,
            x=values * 100,
            orientation="h",
            marker_color=colours,
            text=[f"{v * 100:.1f}%" for v in values],
            textposition="outside",
            cliponaxis=False,
            customdata=customdata,
            hovertemplate=(
                "%{customdata[0]}"
                f"<br>{label}: %{{x:.1f}}%"
                f"<br>{t('std_score', lang)}: %{{customdata[4]}}"
                f"<br>{t('std_hover_customers', lang)}: %{{customdata[1]:,}}"
                f"<br>{t('std_hover_not_served', lang)}: %{{customdata[2]:,}}"
                f"<br>{t('std_hover_targets_met', lang)}: %{{customdata[3]}}<extra></extra>"
            ),
            showlegend=False,
        )
    )
    fig.add_vline(x=target * 100, line=dict(color="#1f2937", dash="dash", width=1.5))
    fig.add_annotation(
        x=target * 100,
        y=1,
        yref="paper",
        yanchor="bottom",
        text=f"{t('std_target', lang)} {target * 100:g}%",
        showarrow=False,
        font=dict(size=12, color="#1f2937"),
    )
    axis = t("std_axis_score", lang) if measure == STANDARD_SCORE else t("std_axis_share", lang)
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(title=axis, range=[0, 118], ticksuffix="%", tickvals=[0, 20, 40, 60, 80, 100]),
        yaxis=dict(categoryorder="array", categoryarray=names, type="category", automargin=True),
        height=max(320, 150 + 26 * len(frame)),
        margin=dict(t=120, r=60),
        clickmode="event+select",
    )
    return fig
