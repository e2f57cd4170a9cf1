"""Display helpers of the segmentation page: the tree node filter, cut points, class tables.

The page's own state is kept in the URL through :mod:`ui.urlstate`, so a copied link opens
the same matrix: ``node`` (the classification-tree node the page is narrowed to),
``pcut``/``vcut`` (existing-customer cut points), ``quadrant`` (whose customers are
listed), ``tpcut``/``tfcut`` and ``tclass`` (the same for prospects). Defaults are left out.

A click on a ring of the sunburst selects its node: Streamlit 1.67 reports a click on a
sunburst as a selection point carrying the node's ``id``, and :func:`on_tree_select`
(a callback, so it runs before the next script run draws the node box) moves the
``node`` box to it. The box next to the chart does the same for keyboard users.

A cut point follows the default (the median, or the rules' number) until the user types
another: when the filters change, an untouched cut moves to the new median, a chosen one
stays (and stays in the URL).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from analytics import charts, frames, segmentation
from analytics.charts import MATRIX_CLASSES, SEGMENT_MEASURES, node_label
from analytics.frames import class_label
from analytics.i18n import t, tier_label
from analytics.rules import TierRules
from analytics.segmentation import TREE_NODES, MatrixSummary, tiers_of_node
from ui import data, export, urlstate
from ui.overview import show_chart
from ui.sidebar import ViewContext
from ui.tables import MONEY_FORMAT

ROOT = TREE_NODES[0]
#: The URL parameters of each matrix: (x cut, y cut, the class whose list is shown).
MATRIX_KEYS = {"existing": ("pcut", "vcut", "quadrant"), "target": ("tpcut", "tfcut", "tclass")}
#: Rows of a class list shown at most.
LIST_LIMIT = 1000
#: Points drawn in a matrix scatter: a fixed sample beyond this (the table counts everyone).
#: Each point costs the server time to copy and serialise on every run; 3,000 show the shape.
MAX_POINTS = 3000


# -- the tree node --------------------------------------------------------------------------
def node_choice(ctx: ViewContext) -> str | None:
    """The tree node the page is narrowed to, from the URL or the session.

    ``None`` when the view is retail only: the tree of corporate and institutional
    customers does not apply. The node box itself is drawn later by :func:`tree`.
    """
    if ctx.filters.segment == "retail":
        return None
    urlstate.adopt("node", ROOT)
    if st.session_state.get("node") not in TREE_NODES:  # a mistyped link
        st.session_state["node"] = ROOT
    return st.session_state["node"]


def node_tiers(node: str | None) -> tuple[str, ...] | None:
    """The tiers a node narrows the page to; ``None`` (no narrowing) for the root and retail."""
    return None if node in (None, ROOT) else tiers_of_node(node)


def node_subtitle(sub: str, node: str | None, lang: str) -> str:
    """The chart subtitle, naming the node when the page is narrowed to one."""
    return sub if node in (None, ROOT) else f"{sub} · {node_label(node, lang)}"


def scope_caption(node: str | None, lang: str) -> None:
    """Say which customers the matrix and the heatmaps cover."""
    tiers = node_tiers(node)
    if tiers is None:
        st.caption(t("seg_scope_all", lang))
    else:
        names = ", ".join(tier_label(tier, lang) for tier in tiers)
        st.caption(t("seg_scope_node", lang, node=node_label(node, lang), tiers=names))


def selected_node(state: Mapping | None) -> str | None:
    """The tree node a sunburst selection points at (``None`` for none or an unknown id)."""
    points = ((state or {}).get("selection") or {}).get("points") or []
    node = points[0].get("id") if points else None
    return node if node in TREE_NODES else None


def on_tree_select(key: str) -> None:
    """Selection callback of the sunburst: narrow the page to the clicked node."""
    node = selected_node(st.session_state.get(key))
    if node is not None:
        st.session_state["node"] = node


def node_path(node: str, parents: Mapping[str, str], lang: str) -> str:
    """A node named with the nodes above it (the root left out): ``With loans › Companies with loans``."""
    names = []
    while node and node != ROOT:
        names.append(node_label(node, lang))
        node = parents.get(node, "")
    return " › ".join(reversed(names)) or node_label(ROOT, lang)


def tree(ctx: ViewContext, df: pd.DataFrame, node: str, subtitle: str) -> None:
    """The sunburst with its size control and node box, and the tree as a table.

    Parameters
    ----------
    ctx : ViewContext
        The view.
    df : pandas.DataFrame
        :func:`analytics.segmentation.classification_tree` of the view.
    node : str
        The node the page is narrowed to (outlined in the chart).
    subtitle : str
        The charts' subtitle (snapshot, filters, rules).
    """
    lang = ctx.lang
    size_col, node_col = st.columns(2, vertical_alignment="bottom")
    measure = size_col.segmented_control(
        t("seg_tree_size", lang),
        list(SEGMENT_MEASURES),
        format_func=lambda m: t(m, lang),
        default="customers",
        key="seg_tree_measure",
        required=True,
    )
    parents = dict(zip(df["node"], df["parent"], strict=True))
    node_col.selectbox(
        t("seg_node", lang), list(TREE_NODES), format_func=lambda n: node_path(n, parents, lang), key="node"
    )
    st.caption(t("seg_tree_hint", lang))
    f = ctx.filters
    # One key per node and view: a click on the node shown before fires again.
    view = "|".join(
        str(v) for v in (node, measure, f.segment, f.region, f.branch, f.rm_id, ctx.snapshot, lang)
    )
    key = f"seg_tree|{view}"
    fig = data.figure(
        charts.classification_sunburst,
        df.drop(columns="tiers"),
        measure=measure or "customers",
        selected=node,
        lang=lang,
        subtitle=subtitle,
    )
    show_chart(fig, key=key, on_select=functools.partial(on_tree_select, key))
    with st.expander(t("seg_tree_table", lang)):
        tree_table(df, lang)


def tree_table(df: pd.DataFrame, lang: str) -> None:
    """The classification tree as a table: customers, balances and profit per node."""
    shown = frames.tree_frame(df, lang)
    config = {t("customers", lang): st.column_config.NumberColumn(format="%,d")}
    config |= {c: st.column_config.NumberColumn(format=MONEY_FORMAT) for c in list(shown.columns)[2:]}
    export.show_table(
        shown,
        title=t("seg_tree_section", lang),
        key="seg_tree_table",
        column_config=config,
        height=36 * (len(shown) + 1) + 3,
    )


# -- cut points -----------------------------------------------------------------------------
def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def url_number(value: float | None) -> str | None:
    """A cut point as the URL carries it: ``1000`` rather than ``1000.0``, exact otherwise."""
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _step(default: float) -> tuple[float, str]:
    """A step about a hundredth of the value's size, and a format that shows it."""
    size = abs(default) or 1.0
    step = 10.0 ** (math.floor(math.log10(size)) - 2)
    decimals = max(0, -int(math.floor(math.log10(step))))
    return step, f"%.{min(decimals, 6)}f"


def _follow(key: str, default: float) -> None:
    """Before drawing the cut input ``key``: its value from the URL, the session or the default."""
    memo = f"_seg_default|{key}"
    if key in st.session_state and st.session_state[key] == st.session_state.get(memo):
        st.session_state[key] = default  # never chosen: follow the default as the filters change
    urlstate.adopt(key, default, convert=_finite)
    st.session_state[memo] = default


def _reset(values: Mapping[str, float]) -> None:
    for key, value in values.items():
        st.session_state[key] = value


def _source_text(source: str, value: float, axis: str, lang: str, *, prospects: bool = False) -> str:
    shown = frames.cut_value_text(value, axis, lang)
    if source == "rules":
        return t("seg_source_rules", lang, value=shown)
    return t("seg_source_prospects_median" if prospects else "seg_source_median", lang, value=shown)


def cut_inputs(defaults: MatrixSummary, lang: str) -> tuple[float, float]:
    """The two editable cut points of a matrix, defaulting to ``defaults.cut_points``.

    Returns the cut points in force (x, y). A reset button puts both back to the defaults.
    """
    x_key, y_key, _ = MATRIX_KEYS[defaults.kind]
    prospects = defaults.kind == "target"
    chosen = []
    cols = st.columns([2, 2, 1], vertical_alignment="bottom")
    axes = ((defaults.x, x_key), (defaults.y, y_key))
    for col, (axis, key) in zip(cols, axes, strict=False):
        default = float(defaults.cut_points[axis])
        _follow(key, default)
        step, fmt = _step(default)
        help_text = t(
            "seg_cut_help",
            lang,
            source=_source_text(defaults.cut_sources[axis], default, axis, lang, prospects=prospects),
        )
        value = col.number_input(t(f"seg_cut_{axis}", lang), key=key, step=step, format=fmt, help=help_text)
        chosen.append(default if value is None or not math.isfinite(value) else float(value))
    resets = {key: float(defaults.cut_points[axis]) for axis, key in axes}
    medians = all(defaults.cut_sources[axis] == "median" for axis, _ in axes)
    cols[2].button(
        t("seg_reset_cuts" if medians else "seg_reset_defaults", lang),
        key=f"seg_reset_{defaults.kind}",
        on_click=_reset,
        args=(resets,),
        disabled=all(c == resets[k] for c, (_, k) in zip(chosen, axes, strict=True)),
        width="stretch",
    )
    return chosen[0], chosen[1]


def chosen_or_none(value: float, default: float | None) -> float | None:
    """The cut to pass to analytics: ``None`` when it is the default (its source stays)."""
    return None if default is not None and value == default else value


def cuts_caption(matrix: MatrixSummary, rules: TierRules, lang: str) -> None:
    """The cut points in force with their sources, and how the value axis is computed."""
    st.caption(frames.cuts_text(matrix, lang))
    if matrix.kind == "target":
        weights = _weights(rules.target.potential_weights, lang)
        date = matrix.snapshot_date.isoformat() if matrix.snapshot_date else t("ov_na", lang)
        st.caption(t("seg_potential_source", lang, weights=weights, date=date))
    elif matrix.value_source == "bank_value_score":
        st.caption(t("seg_value_score", lang))
    else:
        st.caption(t("seg_value_composite", lang, weights=_weights(rules.existing.bank_value_weights, lang)))


def _weights(weights: Mapping[str, float], lang: str) -> str:
    sep = "，" if lang == "zh" else ", "
    return sep.join(f"{t(f'seg_weight_{name}', lang)} {w * 100:g}%" for name, w in weights.items())


def sample_caption(shown: int, matrix: MatrixSummary, lang: str) -> None:
    """Say so when the scatter shows a sample of the population."""
    text = frames.sample_text(shown, matrix, lang)
    if text:
        st.caption(text)


# -- class tables and lists -----------------------------------------------------------------
def class_table(matrix: MatrixSummary, lang: str, *, subtitle: str) -> None:
    """Count, shares of customers (prospects), AUM and profit of every class of a matrix."""
    shown = frames.class_frame(matrix, lang)
    pct = st.column_config.NumberColumn(format="%.1f%%")
    # Columns by position: class, count, its share, money, its share (, profit, its share)
    config = {c: pct for c in shown.columns[2::2]}
    config |= {c: st.column_config.NumberColumn(format=MONEY_FORMAT) for c in shown.columns[3::2]}
    config[shown.columns[1]] = st.column_config.NumberColumn(format="%,d")
    if matrix.kind == "existing":
        config[shown.columns[6]] = st.column_config.NumberColumn(
            format="%.1f%%", help=t("seg_profit_share_help", lang)
        )
    export.show_table(
        shown,
        title=t(f"seg_{matrix.kind}_section", lang),
        key=f"seg_{matrix.kind}_classes",
        subtitle=subtitle,
        column_config=config,
    )


def class_choice(kind: str, lang: str) -> str:
    """The class whose customers (prospects) are listed: a box mirrored in the URL."""
    key = MATRIX_KEYS[kind][2]
    classes = list(MATRIX_CLASSES[kind])
    urlstate.adopt(key, classes[0])
    if st.session_state.get(key) not in classes:
        st.session_state[key] = classes[0]
    return st.selectbox(
        t("seg_choose_quadrant" if kind == "existing" else "seg_choose_class", lang),
        classes,
        format_func=lambda c: class_label(c, lang),
        key=key,
    )


def class_list(df: pd.DataFrame, kind: str, total: int, lang: str, *, title: str, subtitle: str) -> None:
    """The customers (prospects) of one class, as a person reads them, with how many there are."""
    prospects = kind == "target"
    if df.empty:
        st.caption(t("seg_list_empty", lang))
        return
    st.caption(frames.class_list_note(len(df), total, kind, lang))
    shown = frames.class_list_frame(df, kind, lang)
    # Columns by position: who (3), segment, region, branch, manager, the money, the scores last
    n_scores = 2 if prospects else 1
    money, scores = shown.columns[7:-n_scores], shown.columns[-n_scores:]
    config = {c: st.column_config.NumberColumn(format=MONEY_FORMAT) for c in money}
    config |= {c: st.column_config.NumberColumn(format="%.2f") for c in scores}
    export.show_table(
        shown,
        title=title,
        key=f"seg_{kind}_list",
        subtitle=subtitle,
        column_config=config,
        height=min(36 * (len(shown) + 1) + 3, 36 * 16),
        placeholder="–",
    )


#: The organisation levels a tier heatmap can be drawn by, widest first.
UNIT_LEVELS = ("region", "branch", "rm_id")


def unit_levels(ctx: ViewContext) -> tuple[list[str], str]:
    """The levels a tier heatmap may show in this view, and the default one.

    From one level below the view down to relationship managers; by branch by default (the
    issue's tier x branch), or by relationship manager once the view is a branch.
    """
    levels = list(UNIT_LEVELS[UNIT_LEVELS.index(ctx.filters.child_level) :])
    return levels, ("branch" if "branch" in levels else levels[0])


def unit_choice(ctx: ViewContext, lang: str) -> str:
    """Region, branch or relationship manager: the rows of the tier heatmap (URL ``unit``)."""
    levels, default = unit_levels(ctx)
    urlstate.adopt("unit", default)
    if st.session_state.get("unit") not in levels:
        st.session_state["unit"] = default
    return (
        st.segmented_control(
            t("seg_heatmap_unit", lang),
            levels,
            format_func=lambda v: t(v, lang),
            key="unit",
            required=True,
        )
        or default
    )


@dataclass(frozen=True)
class _MatrixKind:
    matrix: Callable
    points: Callable
    listing: Callable
    scatter: Callable
    cut_params: tuple[str, str]  # the analytics' and the scatter builder's keyword names
    class_param: str
    url_cuts: tuple[str, str]
    url_class: str


_KINDS = {
    "existing": _MatrixKind(
        segmentation.existing_matrix,
        segmentation.existing_points,
        segmentation.existing_customers,
        charts.existing_matrix_scatter,
        ("profit_cut", "value_cut"),
        "quadrant",
        ("pcut", "vcut"),
        "quadrant",
    ),
    "target": _MatrixKind(
        segmentation.target_matrix,
        segmentation.target_points,
        segmentation.target_prospects,
        charts.target_matrix_scatter,
        ("potential_cut", "fit_cut"),
        "target_class",
        ("tpcut", "tfcut"),
        "tclass",
    ),
}


@dataclass(frozen=True)
class MatrixShown:
    """What a matrix section showed: the cuts in force (empty when nothing was shown) and its URL state."""

    cuts: dict[str, float] = field(default_factory=dict)  # analytics keyword -> cut in force
    url_cuts: dict[str, tuple[float, float]] = field(default_factory=dict)  # URL key -> (cut, default)
    url_classes: dict[str, str] = field(default_factory=dict)  # URL key -> class listed


def matrix_section(ctx: ViewContext, kind: str, *, source: str, subtitle: str, empty: str) -> MatrixShown:
    """One value matrix: editable cuts, the scatter, the class table and one class's list.

    Parameters
    ----------
    ctx : ViewContext
        The view.
    kind : {"existing", "target"}
        Existing customers (``source`` a scored population from ``data.materialized``) or
        prospects (``source="prospects"``).
    source : str
        The table the analytics read (see :func:`ui.data.result`).
    subtitle : str
        The chart subtitle.
    empty : str
        The message when the population is empty.
    """
    spec, lang = _KINDS[kind], ctx.lang
    base = dict(source=source, snapshot_date=ctx.snapshot)
    defaults = data.result(spec.matrix, ctx, **base)
    if defaults.population == 0 or None in defaults.cut_points.values():
        st.info(empty)
        return MatrixShown()
    x_default, y_default = defaults.cut_points.values()
    x_cut, y_cut = cut_inputs(defaults, lang)
    x_param, y_param = spec.cut_params
    matrix = data.result(
        spec.matrix,
        ctx,
        **base,
        **{x_param: chosen_or_none(x_cut, x_default), y_param: chosen_or_none(y_cut, y_default)},
    )
    cuts_caption(matrix, ctx.rules, lang)
    cuts = {x_param: x_cut, y_param: y_cut}
    points = data.result(spec.points, ctx, **base, **cuts, max_points=MAX_POINTS)
    fig = data.figure(
        spec.scatter, points, **cuts, population=matrix.population, lang=lang, subtitle=subtitle
    )
    show_chart(fig)
    sample_caption(len(points), matrix, lang)
    class_table(matrix, lang, subtitle=subtitle)
    chosen = class_choice(kind, lang)
    listed = data.result(spec.listing, ctx, **base, **cuts, **{spec.class_param: chosen}, limit=LIST_LIMIT)
    class_list(
        listed, kind, matrix.counts()[chosen], lang, title=class_label(chosen, lang), subtitle=subtitle
    )
    x_url, y_url = spec.url_cuts
    return MatrixShown(
        cuts=cuts,
        url_cuts={x_url: (x_cut, x_default), y_url: (y_cut, y_default)},
        url_classes={spec.url_class: chosen},
    )


def measure_choice(lang: str) -> str:
    """Customers, AUM or profit contribution: what the heatmap cells show."""
    return (
        st.segmented_control(
            t("seg_heatmap_measure", lang),
            list(SEGMENT_MEASURES),
            format_func=lambda m: t(m, lang),
            default="customers",
            key="seg_heat_measure",
            required=True,
        )
        or "customers"
    )


def page_url(node: str | None, cuts: Mapping[str, tuple[float, float]], classes: Mapping[str, str]) -> dict:
    """The page's URL parameters; defaults (the root node, default cuts, first classes) left out.

    Parameters
    ----------
    node : str or None
        The tree node (``None``: no tree in this view).
    cuts : mapping
        URL key -> (cut in force, default cut), for the matrices shown.
    classes : mapping
        URL key -> the class listed, for the matrices shown.

    A parameter of a matrix that is not shown (no customers, no prospects) is removed.
    """
    url: dict[str, str | None] = {"node": None if node in (None, ROOT) else node}
    for kind, (x_key, y_key, class_key) in MATRIX_KEYS.items():
        for key in (x_key, y_key):
            value, default = cuts.get(key, (None, None))
            url[key] = None if value is None or value == default else url_number(value)
        chosen = classes.get(class_key)
        url[class_key] = None if chosen in (None, MATRIX_CLASSES[kind][0]) else chosen
    return url
