"""Tables as a person reads them: translated headers, labels, units.

The pages (``ui/``) and the exports made without a browser (:mod:`analytics.report`) show
the same tables; each is built here once, from the small frames the analytics functions
return, so that a header, a label or a rounding cannot drift between the two. The texts
that go with them (subtitles, notes, captions) are here for the same reason.

Where a page and an export differ on purpose, a keyword says which:

- ``money``: how a money column is written (see :data:`MONEY`).

  - ``"scaled"``: the page's, one unit per column (万元 in Chinese, CNY M in English, or a
    smaller unit when every value is small; :data:`TABLE_UNIT_CAP`), to 0.1 and named in
    the header, so that the column stays sortable as numbers;
  - ``"cny"``: plain CNY as held, the downloads' (CSV, Excel) numbers;
  - ``"cents"``: CNY rounded to the cent, the report's.

- ``percent``: how a column in percentage points is written (see :data:`PERCENT`).

  - ``"points"``: the page's, the number of points (the page's column format adds ``%``);
  - ``"marked"``: the report's, rounded and with a header that ends in ``%`` (the export's
    cue for a percentage format).

No Streamlit here: the number formats a page applies on top (``st.column_config``) stay in
``ui/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analytics.charts import (
    money_scale,
    money_text,
    node_label,
    standard_group_label,
    standard_measure_label,
    standard_requirement_text,
    state_label,
    trend_group_label,
)
from analytics.i18n import format_count, format_money, industry_label, segment_label, t, tier_label
from analytics.migration import TO_STATES

#: The ways of writing a money column (see the module's docstring).
MONEY = ("scaled", "cny", "cents")
#: The ways of writing a column in percentage points (see the module's docstring).
PERCENT = ("points", "marked")

#: The largest money unit a table uses: 万元 in Chinese, CNY M in English, as bank reports do.
TABLE_UNIT_CAP = {"zh": 1e4, "en": 1e6}


# -- headers, values and short texts ----------------------------------------------------------


def pct_header(header: str) -> str:
    """A header for a column in percentage points: ends with ``%``, the export's cue."""
    return header if header.rstrip().endswith("%") else f"{header} %"


def cny_header(label: str, lang: str) -> str:
    """``AUM (CNY)`` / ``金融资产（元）``: a money column in CNY."""
    return t("ov_col_money", lang, label=label, unit=t("ov_unit_1", lang))


def money_header(label: str, unit: str, lang: str) -> str:
    """``AUM (CNY M)`` / ``金融资产（万元）``: a money column in ``unit``."""
    return t("ov_col_money", lang, label=label, unit=unit)


def scaled_money(values: pd.Series, lang: str) -> tuple[pd.Series, str]:
    """Money in one readable unit for the whole column, to 0.1, and the unit's name.

    One unit per column keeps the column sortable as numbers.
    """
    divisor, unit = money_scale(values, lang, largest=TABLE_UNIT_CAP.get(lang))
    return (values.astype("float64") / divisor).round(1), unit


def _cny(values: pd.Series, money: str) -> pd.Series:
    """Money in CNY: as held (``"cny"``) or to the cent (``"cents"``)."""
    values = values.astype("float64")
    return values.round(2) if money == "cents" else values


def _money_columns(
    df: pd.DataFrame, labels: Mapping[str, str], lang: str, money: str, *, one_unit: bool = False
) -> dict[str, pd.Series]:
    """Header -> values of the money columns ``labels`` (column -> label) in the ``money`` way.

    ``one_unit``: scaled columns share one unit (chosen over all of them), so that they read
    side by side; otherwise each column has its own.
    """
    if money not in MONEY:
        raise ValueError(f"money must be one of {MONEY}, not {money!r}")
    if money != "scaled":
        return {cny_header(label, lang): _cny(df[column], money) for column, label in labels.items()}
    if not one_unit:
        out = {}
        for column, label in labels.items():
            values, unit = scaled_money(df[column], lang)
            out[money_header(label, unit, lang)] = values
        return out
    divisor, unit = money_scale(
        [v for column in labels for v in df[column]], lang, largest=TABLE_UNIT_CAP.get(lang)
    )
    return {
        money_header(label, unit, lang): (df[column].astype("float64") / divisor).round(1)
        for column, label in labels.items()
    }


def _share_header(header: str, percent: str) -> str:
    return pct_header(header) if percent == "marked" else header


def _share(values: pd.Series, percent: str, digits: int = 2) -> pd.Series:
    """A share (0-1) in percentage points, rounded to ``digits`` when ``"marked"``."""
    if percent not in PERCENT:
        raise ValueError(f"percent must be one of {PERCENT}, not {percent!r}")
    points = values.astype("float64") * 100
    return points.round(digits) if percent == "marked" else points


def pct_text(value: float | None, digits: int = 1) -> str:
    """A share as text: ``85.0%``, or ``–`` when there is none (``None`` or NaN)."""
    return "–" if value is None or value != value else f"{value * 100:.{digits}f}%"


def month_text(month) -> str:
    """A month as ``2026-09``."""
    return f"{month.year:04d}-{month.month:02d}"


def pair_text(from_date: dt.date, to_date: dt.date) -> str:
    """``2026-08-31 → 2026-09-30``."""
    return f"{from_date.isoformat()} → {to_date.isoformat()}"


# -- subtitles --------------------------------------------------------------------------------


def scope_text(filters, lang: str = "en") -> str:
    """What a view covers, as a subtitle reads it: ``Retail · 深圳分行`` or ``Head office``.

    The same parts as :meth:`analytics.scope.Filters.describe`, with the segment named in
    ``lang`` and head office named when no organisation filter is set.
    """
    parts = [p for p in (filters.region, filters.branch, filters.rm_id) if p]
    if not parts:
        parts = [t("ov_scope_head_office", lang)]
    if filters.segment != "all":
        parts.insert(0, segment_label(filters.segment, lang))
    return " · ".join(parts)


def rules_text(rules, lang: str = "en") -> str:
    """``Rules: Default tier rules v1``."""
    return f"{t('rules', lang)}: {rules.name} v{rules.version}"


def subtitle(*, snapshot_date: dt.date | None, filters, rules, lang: str = "en") -> str:
    """The line under a chart title: snapshot (``None`` for a chart over every snapshot), scope, rules.

    ``Snapshot 2026-09-30 · Head office · Rules: Default tier rules v1``.
    """
    parts = [f"{t('snapshot', lang)} {snapshot_date.isoformat()}"] if snapshot_date else []
    parts += [scope_text(filters, lang), rules_text(rules, lang)]
    return " · ".join(parts)


def migration_subtitle(
    from_date: dt.date, to_date: dt.date, *, filters, rules, lang: str = "en", pairs: int | None = None
) -> str:
    """The line under a migration chart: both snapshots (or the window's months), scope and rules.

    ``Snapshots 2026-08-31 → 2026-09-30 · Head office · Rules: default v1``; with ``pairs``,
    ``12 monthly steps 2025-09-30 → 2026-09-30 · ...``.
    """
    span = pair_text(from_date, to_date)
    when = (
        t("mig_sub_pair", lang, span=span) if pairs is None else t("mig_sub_window", lang, n=pairs, span=span)
    )
    return " · ".join([when, scope_text(filters, lang), rules_text(rules, lang)])


def tuner_subtitle(*, snapshot_date: dt.date, filters, rules, lang: str = "en") -> str:
    """The line under a tuner chart: snapshot, scope and the baseline rules."""
    return " · ".join(
        [
            t("tu_sub_snapshot", lang, date=snapshot_date.isoformat()),
            scope_text(filters, lang),
            t("tu_sub_rules", lang, name=rules.name, version=rules.version),
        ]
    )


# -- overview ---------------------------------------------------------------------------------

#: The money columns a tier summary may have.
TIER_MONEY_COLUMNS = ("aum", "profit_contribution", "deposits", "loans")


def tier_table_frame(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A tier summary as read and exported: tier and segment names, headers in ``lang``, whole yuan."""
    money = {c: summary[c].astype("float64").round(0) for c in TIER_MONEY_COLUMNS if c in summary}
    return summary.assign(
        segment=summary["segment"].map(lambda s: segment_label(s, lang)),
        tier=summary["tier"].map(lambda x: tier_label(x, lang)),
        **money,
    ).rename(columns={c: t(c, lang) for c in summary.columns})


def league_frame(
    df: pd.DataFrame,
    level: str,
    lang: str,
    *,
    retail_mix: bool = True,
    money: str = "scaled",
    percent: str = "points",
) -> pd.DataFrame:
    """A league (:func:`analytics.overview.league`) as a person reads it, largest AUM first.

    Parameters
    ----------
    df : pandas.DataFrame
        The league.
    level : {"region", "branch", "rm_id"}
        What the rows are (header of the name column).
    lang : str
        ``"en"`` or ``"zh"``.
    retail_mix : bool
        With the retail tier-mix columns (off when the view has no retail customers).
    money, percent : str
        How money and shares are written (see the module's docstring).
    """
    columns = {
        t(level, lang): df["name"].astype(str),
        t("customers", lang): df["customers"].astype("int64"),
        **_money_columns(
            df, {"aum": t("aum", lang), "profit_contribution": t("profit_contribution", lang)}, lang, money
        ),
        _share_header(t("ov_aum_growth", lang), percent): _share(df["aum_growth"], percent),
    }
    if retail_mix:
        for column, key in (
            ("affluent_plus_share", "ov_affluent_plus_share"),
            ("hnw_plus_aum_share", "ov_hnw_plus_aum_share"),
        ):
            columns[_share_header(t(key, lang), percent)] = _share(df[column], percent)
    return pd.DataFrame(columns)


def top_customers_frame(df: pd.DataFrame, lang: str, *, money: str = "scaled") -> pd.DataFrame:
    """The top customers (:func:`analytics.overview.top_customers`) with names in ``lang``.

    Scaled, AUM and profit share one unit, so that they read side by side.
    """
    return pd.DataFrame(
        {
            t("ov_col_customer_id", lang): df["customer_id"].astype(str),
            t("ov_col_customer_name", lang): df["customer_name"],
            t("segment", lang): df["segment"].map(lambda s: segment_label(s, lang)),
            t("tier", lang): df["tier"].map(lambda x: tier_label(x, lang)),
            t("branch", lang): df["branch"],
            t("rm_id", lang): df["rm_id"],
            **_money_columns(
                df,
                {"aum": t("aum", lang), "profit_contribution": t("profit_contribution", lang)},
                lang,
                money,
                one_unit=True,
            ),
        }
    )


def concentration_figures(conc, lang: str) -> list[tuple[str, str, str | None]]:
    """Gini coefficient, top share and loss-making customers as (label, value, note) triples.

    ``conc`` is an :class:`analytics.concentration.Concentration`; the note of the
    loss-making customers is what they lose (a page shows it under the figure).
    """
    na = t("ov_na", lang)
    pct = f"{conc.top_fraction * 100:g}"
    gini = na if conc.gini is None else f"{conc.gini:.2f}"
    share = na if conc.top_share is None else f"{conc.top_share * 100:.1f}%"
    loss_pct = f"{conc.loss_making / conc.customers * 100:.1f}%" if conc.customers else na
    return [
        (t("ov_gini", lang), gini, None),
        (t("ov_top_share", lang, pct=pct), share, None),
        (
            t("ov_loss_making", lang),
            t("ov_loss_making_value", lang, count=format_count(conc.loss_making, lang), share=loss_pct),
            t("ov_loss_making_delta", lang, loss=format_money(conc.losses, lang)),
        ),
    ]


# -- segmentation -----------------------------------------------------------------------------


def class_label(cls: str, lang: str) -> str:
    """A class with what it means: ``Important (high profit, high value)``, ``重要客户（高利润、高价值）``."""
    name, means = t(f"seg_class_{cls}", lang), t(f"seg_class_help_{cls}", lang)
    return f"{name}（{means}）" if lang == "zh" else f"{name} ({means})"


def tree_frame(df: pd.DataFrame, lang: str, *, money: str = "scaled") -> pd.DataFrame:
    """The classification tree (:func:`analytics.segmentation.classification_tree`) as a table:
    customers, balances and profit per node, each node indented by its depth."""
    depth = dict(zip(df["node"], df["depth"], strict=True))
    return pd.DataFrame(
        {
            t("seg_col_node", lang): ["\u2003" * int(depth[n]) + node_label(n, lang) for n in df["node"]],
            t("customers", lang): df["customers"].astype("int64"),
            **_money_columns(
                df,
                {
                    "aum": t("aum", lang),
                    "deposit_balance": t("deposits", lang),
                    "loan_balance": t("loans", lang),
                    "profit_contribution": t("profit_contribution", lang),
                },
                lang,
                money,
            ),
        }
    )


def class_frame(matrix, lang: str, *, money: str = "scaled", percent: str = "points") -> pd.DataFrame:
    """Count, shares of customers (prospects), AUM and profit of every class of a value matrix.

    ``matrix`` is an :class:`analytics.segmentation.MatrixSummary`. Existing customers:
    class, customers, their share, AUM, its share, profit, its share; prospects: class,
    prospects, their share, estimated AUM, its share.
    """
    s = matrix.summary
    label = [class_label(c, lang) for c in s["class"]]
    if matrix.kind == "existing":
        (aum_col, aum), (profit_col, profit) = _money_columns(
            s, {"aum": t("aum", lang), "profit_contribution": t("profit_contribution", lang)}, lang, money
        ).items()
        return pd.DataFrame(
            {
                t("seg_quadrant", lang): label,
                t("customers", lang): s["customers"].astype("int64"),
                _share_header(t("seg_col_customers_share", lang), percent): _share(
                    s["customers_share"], percent
                ),
                aum_col: aum,
                _share_header(t("seg_col_aum_share", lang), percent): _share(s["aum_share"], percent),
                profit_col: profit,
                _share_header(t("seg_col_profit_share", lang), percent): _share(s["profit_share"], percent),
            }
        )
    ((aum_col, aum),) = _money_columns(
        s, {"estimated_aum": t("seg_estimated_aum", lang)}, lang, money
    ).items()
    return pd.DataFrame(
        {
            t("seg_target_class", lang): label,
            t("seg_col_prospects", lang): s["prospects"].astype("int64"),
            _share_header(t("seg_col_prospects_share", lang), percent): _share(s["prospects_share"], percent),
            aum_col: aum,
            _share_header(t("seg_col_estimated_aum_share", lang), percent): _share(
                s["estimated_aum_share"], percent
            ),
        }
    )


def class_list_frame(df: pd.DataFrame, kind: str, lang: str, *, money: str = "scaled") -> pd.DataFrame:
    """The customers (``kind="existing"``) or prospects (``"target"``) of one class.

    Columns: who (id, name, and tier or industry), segment, region, branch, manager, the
    money columns, then the scores (bank value; potential value and fit).
    """
    if kind == "target":
        first = {
            t("seg_col_prospect_id", lang): df["prospect_id"].astype(str),
            t("seg_col_prospect_name", lang): df["prospect_name"],
            t("seg_industry", lang): df["industry"].map(lambda v: industry_label(v, lang)),
        }
        labels = {"estimated_aum": t("seg_estimated_aum", lang)}
        scores = {
            t("seg_potential_value", lang): df["potential_value"].astype("float64"),
            t("seg_fit", lang): df["fit"].astype("float64"),
        }
    else:
        first = {
            t("ov_col_customer_id", lang): df["customer_id"].astype(str),
            t("ov_col_customer_name", lang): df["customer_name"],
            t("tier", lang): df["tier"].map(lambda x: tier_label(x, lang)),
        }
        labels = {"aum": t("aum", lang), "profit_contribution": t("profit_contribution", lang)}
        scores = {t("seg_bank_value", lang): df["bank_value"].astype("float64")}
    return pd.DataFrame(
        {
            **first,
            t("segment", lang): df["segment"].map(lambda s: segment_label(s, lang)),
            t("region", lang): df["region"],
            t("branch", lang): df["branch"],
            t("rm_id", lang): df["rm_id"],
            **_money_columns(df, labels, lang, money),
            **scores,
        }
    )


def class_list_note(shown: int, total: int, kind: str, lang: str) -> str:
    """How many customers (prospects) a class list shows, and whether that is all of them."""
    suffix = "_prospects" if kind == "target" else ""
    key = f"seg_list_truncated{suffix}" if total > shown else f"seg_list_count{suffix}"
    return t(key, lang, n=format_count(shown, lang))


def sample_text(shown: int, matrix, lang: str) -> str:
    """Says that a matrix scatter draws a sample of its population; empty when it draws everyone."""
    if matrix.population <= shown:
        return ""
    return t(
        f"seg_sample_{matrix.kind}",
        lang,
        n=format_count(shown, lang),
        total=format_count(matrix.population, lang),
    )


def cut_value_text(value: float | None, axis: str, lang: str) -> str:
    """A cut point as read: money for the profit axis, a score otherwise, ``n/a`` for none."""
    if value is None:
        return t("ov_na", lang)
    return money_text(value, lang) if axis == "profit_contribution" else f"{value:,.4g}"


def cuts_text(matrix, lang: str) -> str:
    """The cut points of a value matrix in force, with where each comes from (median, rules, chosen)."""
    x, y = matrix.x, matrix.y
    return t(
        "seg_cuts_in_use",
        lang,
        x=t(x, lang) if x == "profit_contribution" else t(f"seg_{x}", lang),
        x_cut=cut_value_text(matrix.cut_points[x], x, lang),
        x_source=t(f"seg_in_use_{matrix.cut_sources[x]}", lang),
        y=t(f"seg_{y}", lang),
        y_cut=cut_value_text(matrix.cut_points[y], y, lang),
        y_source=t(f"seg_in_use_{matrix.cut_sources[y]}", lang),
    )


# -- migration --------------------------------------------------------------------------------


def rates_summary_text(rates: Mapping[str, Any], lang: str) -> str:
    """Net upgrades, new customers and the customers at both snapshots, in one sentence (Markdown)."""
    return t(
        "mig_rates_summary",
        lang,
        net=f"{rates['net_upgrades']:+,}",
        new=format_count(rates["new_customers"], lang),
        before=format_count(rates["customers_from"], lang),
        after=format_count(rates["customers_to"], lang),
    )


def matrix_frame(tr, show: str, lang: str) -> pd.DataFrame:
    """The transition matrix as a table: one row per origin, one column per destination.

    ``tr`` is an :class:`analytics.migration.Transition`. Rows ``new`` then the tiers,
    columns the tiers then ``closed`` (the tiers that occur, in tier order on both sides),
    plus a total (customers or AUM) or, for row shares (``show="share"``), the row's
    customers. AUM (``show="aum"``) is scaled to one unit, named in the first header; a
    ``new`` row carries its AUM at the later snapshot (nothing was held before).
    """
    counts = tr.matrix()
    present = set(counts.index) | {c for c in counts.columns if counts[c].sum() > 0}
    tiers = [s for s in TO_STATES if s in present and s != "closed"]
    rows, cols = ["new", *tiers], [*tiers, "closed"]
    counts = counts.reindex(index=rows, columns=cols, fill_value=0)
    corner = t("mig_from_to", lang)
    if show == "share":
        values = (tr.row_shares().reindex(index=rows, columns=cols).fillna(0.0) * 100).round(1)
        extra = (t("customers", lang), counts.sum(axis=1))
    elif show == "aum":
        aum = tr.aum_matrix(at="from").reindex(index=rows, columns=cols, fill_value=0.0)
        aum.loc["new"] = tr.aum_matrix(at="to").reindex(index=rows, columns=cols, fill_value=0.0).loc["new"]
        divisor, unit = money_scale(aum.to_numpy().ravel(), lang, largest=TABLE_UNIT_CAP.get(lang))
        values = (aum / divisor).round(1)
        extra = (t("mig_total", lang), values.sum(axis=1).round(1))
        corner = f"{corner} ({unit})"
    else:
        values = counts
        extra = (t("mig_total", lang), counts.sum(axis=1))
    shown = values.copy()
    shown.columns = [state_label(c, lang) for c in cols]
    shown[extra[0]] = extra[1].to_numpy()
    shown.insert(0, corner, [state_label(r, lang) for r in rows])
    return shown.reset_index(drop=True)


def unit_frame(
    df: pd.DataFrame, level: str, lang: str, *, money: str = "scaled", percent: str = "points"
) -> pd.DataFrame:
    """:func:`analytics.migration.transition_by_unit` as a person reads it: moves, rates, high-tier losses."""

    def rate(key: str, column: str) -> tuple[str, pd.Series]:
        return _share_header(t(key, lang), percent), _share(df[column], percent)

    return pd.DataFrame(
        dict(
            [
                (t(level, lang), df["name"].astype(str)),
                (t("mig_customers_from", lang), df["customers_from"].astype("int64")),
                (t("mig_kind_upgrade", lang), df["upgrades"].astype("int64")),
                (t("mig_kind_downgrade", lang), df["downgrades"].astype("int64")),
                (t("mig_net_upgrades", lang), df["net_upgrades"].astype("int64")),
                (t("mig_kind_reclassified", lang), df["reclassified"].astype("int64")),
                (t("mig_kind_closed", lang), df["closed"].astype("int64")),
                (t("mig_kind_new", lang), df["new"].astype("int64")),
                rate("mig_rate_upgrade", "upgrade_rate"),
                rate("mig_rate_downgrade", "downgrade_rate"),
                rate("mig_rate_closed", "closure_rate"),
                (t("mig_high_tier_losses", lang), df["high_tier_losses"].astype("int64")),
                *_money_columns(df, {"high_tier_loss_aum": t("mig_loss_aum", lang)}, lang, money).items(),
            ]
        )
    )


def losses_frame(
    df: pd.DataFrame,
    lang: str,
    pair: tuple[dt.date, dt.date],
    *,
    money: str = "cny",
    change: bool = False,
) -> pd.DataFrame:
    """The customers lost from the high tiers (:func:`analytics.migration.high_tier_losses`).

    Parameters
    ----------
    df : pandas.DataFrame
        The losses, largest previous AUM first.
    lang : str
        ``"en"`` or ``"zh"``.
    pair : tuple of datetime.date
        The two snapshots (named in the headers).
    money : {"cny", "cents", "scaled"}
        How AUM is written; scaled, both snapshots' AUM share one unit.
    change : bool
        With the change in AUM (scaled only: the page's table).
    """
    from_date, to_date = pair
    if money == "scaled":
        divisor, unit = money_scale([*df["aum_from"], *df["aum_to"]], lang, largest=TABLE_UNIT_CAP.get(lang))
        amounts = {
            t("mig_col_aum", lang, date=from_date.isoformat(), unit=unit): (df["aum_from"] / divisor).round(
                1
            ),
            t("mig_col_aum", lang, date=to_date.isoformat(), unit=unit): (df["aum_to"] / divisor).round(1),
        }
        if change:
            amounts[t("mig_col_change", lang, unit=unit)] = ((df["aum_to"] - df["aum_from"]) / divisor).round(
                1
            )
    else:
        amounts = {
            t("mig_col_aum_cny", lang, date=from_date.isoformat()): _cny(df["aum_from"], money),
            t("mig_col_aum_cny", lang, date=to_date.isoformat()): _cny(df["aum_to"], money),
        }
    return pd.DataFrame(
        {
            t("ov_col_customer_id", lang): df["customer_id"].astype(str),
            t("ov_col_customer_name", lang): df["customer_name"],
            t("mig_col_from_tier", lang, date=from_date.isoformat()): df["from_tier"].map(
                lambda s: tier_label(s, lang)
            ),
            t("mig_col_to_state", lang, date=to_date.isoformat()): df["to_state"].map(
                lambda s: state_label(s, lang)
            ),
            **amounts,
            t("region", lang): df["region"],
            t("branch", lang): df["branch"],
            t("rm_id", lang): df["rm_id"],
        }
    )


def losses_note(df: pd.DataFrame, lang: str, *, limit: int) -> str:
    """How many high-tier losses are listed (all, or the first ``limit``) and the AUM they held."""
    key = "mig_losses_truncated" if len(df) >= limit else "mig_losses_count"
    return t(key, lang, n=format_count(len(df), lang), aum=format_money(float(df["aum_from"].sum()), lang))


def average_frame(long: pd.DataFrame, lang: str, *, percent: str = "points") -> pd.DataFrame:
    """The cells of an average monthly matrix with customers: moves, exposure, p and its interval.

    ``long`` is :meth:`analytics.migration.AverageTransition.long`; probabilities in
    percentage points (to 4 decimals when ``"marked"``: monthly moves are small).
    """
    cells = long[long["customers"] > 0]
    return pd.DataFrame(
        {
            t("mig_col_from", lang): cells["from_state"].map(lambda s: state_label(s, lang)),
            t("mig_col_to", lang): cells["to_state"].map(lambda s: state_label(s, lang)),
            t("mig_col_moves", lang): cells["customers"].astype("int64"),
            t("mig_customer_months", lang): cells["exposure"].astype("int64"),
            _share_header(t("mig_monthly_p", lang), percent): _share(cells["p"], percent, 4),
            _share_header(t("mig_col_lower", lang), percent): _share(cells["lower"], percent, 4),
            _share_header(t("mig_col_upper", lang), percent): _share(cells["upper"], percent, 4),
        }
    )


def backtest_frame(df: pd.DataFrame, lang: str, *, percent: str = "points") -> pd.DataFrame:
    """Projected and actual customers and shares per tier (:func:`analytics.migration.backtest`),
    with the error in percentage points."""
    return pd.DataFrame(
        {
            t("tier", lang): df["tier"].map(lambda s: tier_label(s, lang)),
            t("mig_projected", lang): df["projected"].astype("float64").round(1),
            t("mig_actual", lang): df["actual"].astype("float64"),
            _share_header(t("mig_col_projected_share", lang), percent): _share(
                df["projected_share"], percent
            ),
            _share_header(t("mig_col_actual_share", lang), percent): _share(df["actual_share"], percent),
            _share_header(t("mig_col_error", lang), percent): _share(df["share_error"], percent),
        }
    )


# -- satisfaction and complaints --------------------------------------------------------------


def _months(monthly: pd.DataFrame, lang: str, by: str | None) -> pd.DataFrame:
    """The month of each row of a monthly series, and its group when broken down ``by`` something."""
    shown = pd.DataFrame({t("tr_col_month", lang): [month_text(m) for m in monthly["month"]]})
    if by:
        shown[t("tr_col_group", lang)] = [trend_group_label(by, g, lang) for g in monthly["group"]]
    return shown


def satisfaction_frame(monthly: pd.DataFrame, lang: str, by: str | None = None) -> pd.DataFrame:
    """Monthly mean scores and their intervals (:func:`analytics.trends.satisfaction_monthly`),
    with the group of each row when the series is broken down ``by`` something."""
    shown = _months(monthly, lang, by)
    shown[t("tr_col_n", lang)] = monthly["n"].astype("int64").to_numpy()
    for column, label in (
        ("mean", "tr_col_mean"),
        ("ci_low", "tr_col_ci_low"),
        ("ci_high", "tr_col_ci_high"),
    ):
        shown[t(label, lang)] = monthly[column].astype("float64").round(3).to_numpy()
    return shown


def complaints_frame(monthly: pd.DataFrame, lang: str, by: str | None = None) -> pd.DataFrame:
    """Monthly complaints, customers and the rate per 10,000 (:func:`analytics.trends.complaints_monthly`),
    with the group of each row when the series is broken down ``by`` something."""
    shown = _months(monthly, lang, by)
    shown[t("tr_col_complaints", lang)] = monthly["complaints"].astype("int64").to_numpy()
    shown[t("tr_col_customers", lang)] = monthly["customers"].to_numpy()
    shown[t("tr_col_rate", lang)] = monthly["rate_per_10k"].astype("float64").round(2).to_numpy()
    return shown


def too_short_text(what: str, result, lang: str) -> str:
    """Why a method (``trend``, ``stl``, ``forecast``, ``chart``) has no result: its minimum and n."""
    return t("tr_too_short", lang, what=t(f"tr_what_{what}", lang), minimum=result.min_months, n=result.n)


def forecast_message(result, lang: str) -> str:
    """Why there is no forecast (:class:`analytics.trends.ForecastResult`)."""
    if result.status == "too_short":
        return too_short_text("forecast", result, lang)
    return t("tr_fc_na", lang, message=result.message)


def verdict_text(result, lang: str) -> str:
    """A trend's verdict in words: improving, declining, or no clear trend."""
    key = {"improving": "improving", "declining": "declining"}.get(result.verdict, "none")
    return t(f"tr_verdict_{key}", lang)


def median_days_text(res, lang: str) -> str:
    """The median days to resolve a complaint (:class:`analytics.trends.ResolutionResult`), or ``–``."""
    return "–" if res.median_days is None else t("tr_days", lang, days=res.median_days)


# -- threshold tuner --------------------------------------------------------------------------


def tuner_tier_frame(sim, lang: str) -> pd.DataFrame:
    """Per tier, baseline and scenario side by side, with the changes (labels in ``lang``).

    ``sim`` is an :class:`analytics.tuner.Simulation`; tiers empty under both are left out.
    """
    df = sim.tiers
    df = df[(df["baseline_customers"] > 0) | (df["scenario_customers"] > 0)]
    columns = {t("tier", lang): df["tier"].map(lambda s: tier_label(s, lang))}
    for what in ("customers", "aum", "profit"):
        for head, column in (
            ("base", f"baseline_{what}"),
            ("scen", f"scenario_{what}"),
            ("change", f"{what}_change"),
        ):
            # customers are whole; money to the cent
            columns[t(f"tu_col_{head}_{what}", lang)] = (
                df[column] if what == "customers" else df[column].round(2)
            )
    return pd.DataFrame(columns)


def workload_frame(sim, lang: str) -> pd.DataFrame:
    """Per branch: managers there, hours and managers needed under baseline and scenario."""
    w = sim.workload
    return pd.DataFrame(
        {
            t("branch", lang): w["branch"],
            t("tu_col_managers", lang): w["managers"],
            t("tu_col_base_hours", lang): w["baseline_hours"].round(1),
            t("tu_col_scen_hours", lang): w["scenario_hours"].round(1),
            t("tu_col_base_needed", lang): w["baseline_managers_needed"].round(1),
            t("tu_col_scen_needed", lang): w["scenario_managers_needed"].round(1),
        }
    )


def tuner_compliance_frame(sim, lang: str, *, percent: str = "text") -> pd.DataFrame:
    """One row per service standard: who it applies to, the target, the share meeting it.

    Parameters
    ----------
    sim : analytics.tuner.Simulation
        The simulation.
    lang : str
        ``"en"`` or ``"zh"``.
    percent : {"text", "marked"}
        ``"text"``: the page's, ``85%`` and ``84.2%`` (``–`` for none); ``"marked"``: the
        report's, percentage points to 2 decimals under headers ending in ``%``.
    """
    if percent not in ("text", "marked"):
        raise ValueError(f"percent must be 'text' or 'marked', not {percent!r}")
    c = sim.compliance
    if percent == "text":
        target = [f"{v:.0%}" for v in c["target"]]
        shares = [
            ["–" if pd.isna(v) else f"{v:.1%}" for v in c[k]] for k in ("baseline_share", "scenario_share")
        ]
    else:
        # Python's round on each value, as the report has always written these
        def points(values) -> list:
            return [None if pd.isna(x) else round(float(x) * 100, 2) for x in values]

        target = points(c["target"])
        shares = [points(c[k]) for k in ("baseline_share", "scenario_share")]
    mark = pct_header if percent == "marked" else str
    return pd.DataFrame(
        {
            t("tu_col_standard", lang): [t(f"tu_std_{s}", lang) for s in c["standard"]],
            t("tu_col_applies", lang): [
                ", ".join(tier_label(x, lang) for x in str(tiers).split(",")) for tiers in c["tiers"]
            ],
            mark(t("tu_col_target", lang)): target,
            mark(t("tu_col_base_share", lang)): shares[0],
            mark(t("tu_col_scen_share", lang)): shares[1],
            t("tu_col_scen_customers", lang): c["scenario_customers"],
            t("tu_col_scen_ok", lang): ["✓" if ok else "✗" for ok in c["scenario_ok"]],
        }
    )


def tuner_matrix_frame(sim, lang: str) -> pd.DataFrame:
    """The value matrices' quadrants under the baseline and the scenario cut points."""
    rows = []
    for kind, entry in sim.matrices.items():
        base, scen = entry["baseline"], entry["scenario"]
        for quadrant, totals in scen["quadrants"].items():
            before = base["quadrants"].get(quadrant, {})
            rows.append(
                {
                    t("tu_col_matrix", lang): t(f"seg_{kind}_section", lang),
                    t("tu_col_quadrant", lang): t(f"seg_class_{quadrant}", lang),
                    t("tu_col_base_customers", lang): before.get("customers", 0),
                    t("tu_col_scen_customers", lang): totals["customers"],
                    t("tu_col_base_aum", lang): before.get("aum", 0) / 100,
                    t("tu_col_scen_aum", lang): totals["aum"] / 100,
                }
            )
    return pd.DataFrame(rows)


def movers_frame(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The customers who change tier (:func:`analytics.tuner.movers`), labels in ``lang``, money in CNY."""
    return pd.DataFrame(
        {
            t("ov_col_customer_id", lang): df["customer_id"].astype(str),
            t("ov_col_customer_name", lang): df["customer_name"],
            t("segment", lang): df["segment"],
            t("tu_col_base_tier", lang): df["baseline_tier"].map(lambda s: tier_label(s, lang)),
            t("tu_col_scen_tier", lang): df["scenario_tier"].map(lambda s: tier_label(s, lang)),
            t("tu_col_aum_cny", lang): df["aum"].astype("float64"),
            t("region", lang): df["region"],
            t("branch", lang): df["branch"],
            t("rm_id", lang): df["rm_id"],
        }
    )


# -- service standards ------------------------------------------------------------------------


def key_products_text(products, lang: str) -> str:
    """The key products by name: ``wealth card, credit card, online-banking token``."""
    sep = "、" if lang == "zh" else ", "
    return sep.join(t(f"std_key_{p}", lang) for p in products)


def missed_text(missed: str, lang: str) -> str:
    """``contacts,events`` -> ``Contacts, Events`` (in ``lang``)."""
    sep = "、" if lang == "zh" else ", "
    return sep.join(t(f"std_name_{s}", lang) for s in str(missed).split(",") if s)


def standards_tier_frame(df: pd.DataFrame, lang: str, *, percent: str = "points") -> pd.DataFrame:
    """:attr:`analytics.standards.Compliance.by_tier` as a person reads it: every standard of
    every tier group against its target, met or missed, and the shortfall."""
    status = [
        t("std_no_customers", lang) if n == 0 else t("std_met", lang) if m else t("std_missed", lang)
        for n, m in zip(df["customers"], df["meets_target"].fillna(False), strict=True)
    ]
    return pd.DataFrame(
        {
            t("std_col_standard", lang): [standard_requirement_text(row, lang) for _, row in df.iterrows()],
            t("std_col_customers_of", lang): [standard_group_label(x, lang) for x in df["tiers"]],
            t("std_col_required", lang): df["required"].astype("Int64"),
            _share_header(t("std_col_target", lang), percent): _share(df["target"], percent),
            t("std_col_in_scope", lang): df["customers"].astype("int64"),
            t("std_col_met", lang): df["met"].astype("int64"),
            _share_header(t("std_col_share", lang), percent): _share(df["share"], percent),
            t("std_col_status", lang): status,
            t("std_col_shortfall", lang): df["shortfall"].astype("int64"),
        }
    )


def standards_league_frame(units, lang: str, *, percent: str = "points") -> pd.DataFrame:
    """:attr:`analytics.standards.UnitCompliance.league` as a person reads it: per unit, customers
    in scope and not served, the combined score, targets met and the share of every measure."""
    df = units.league
    columns = {
        t(units.level, lang): df["name"].astype(str),
        t("std_col_retail", lang): df["retail_customers"].astype("int64"),
        t("std_col_in_scope", lang): df["in_scope"].astype("int64"),
        t("std_col_not_served", lang): df["not_served"].astype("int64"),
        _share_header(t("std_score", lang), percent): _share(df["score"], percent),
        t("std_col_targets_met", lang): [
            f"{m} / {n}" for m, n in zip(df["measures_met"], df["measures_applicable"], strict=True)
        ],
    }
    for measure in units.measures:
        columns[_share_header(standard_measure_label(measure, lang=lang), percent)] = _share(
            df[measure], percent
        )
    return pd.DataFrame(columns)


def not_served_frame(df: pd.DataFrame, lang: str, *, money: str = "cny", region: bool = True) -> pd.DataFrame:
    """The customers not served to standard (:func:`analytics.standards.not_served`).

    Parameters
    ----------
    df : pandas.DataFrame
        The customers, largest AUM first.
    lang : str
        ``"en"`` or ``"zh"``.
    money : {"cny", "cents", "scaled"}
        How AUM is written.
    region : bool
        With the region column (the page's table leaves it out; downloads keep it).
    """
    yes, no = t("std_yes", lang), t("std_no", lang)
    if money == "scaled":
        aum = _money_columns(df, {"aum": t("aum", lang)}, lang, money)
    else:
        aum = {t("std_col_aum_cny", lang): _cny(df["aum"], money)}
    where = {t("region", lang): df["region"]} if region else {}
    return pd.DataFrame(
        {
            t("ov_col_customer_id", lang): df["customer_id"].astype(str),
            t("ov_col_customer_name", lang): df["customer_name"],
            t("tier", lang): df["tier"].map(lambda x: tier_label(x, lang)),
            **where,
            t("branch", lang): df["branch"],
            t("rm_id", lang): df["rm_id"],
            **aum,
            t("std_col_missed", lang): df["missed"].map(lambda m: missed_text(m, lang)),
            t("std_col_contacts", lang): df["contacts_month"],
            t("std_col_contacts_required", lang): df["contacts_required"],
            t("std_col_events", lang): df["events_year"],
            t("std_col_events_required", lang): df["events_required"],
            t("std_col_senior_visits", lang): df["senior_visits_year"],
            t("std_col_senior_visits_required", lang): df["senior_visits_required"],
            t("std_col_products", lang): df["products_held"],
            t("std_col_products_required", lang): df["products_required"],
            t("std_col_has_profile", lang): df["has_profile"].map({True: yes, False: no}),
            t("std_col_key_products", lang): df["key_products_held"],
            t("std_col_key_products_required", lang): df["key_products_required"],
        }
    )


def not_served_note(found, lang: str) -> str:
    """How many customers are not served to standard, how many are listed, and the AUM they hold.

    ``found`` is an :class:`analytics.standards.NotServed`.
    """
    aum = format_money(found.aum, lang)
    if found.truncated:
        return t(
            "std_list_truncated",
            lang,
            shown=format_count(len(found.customers), lang),
            n=format_count(found.total, lang),
            aum=aum,
        )
    return t("std_list_count", lang, n=format_count(found.total, lang), aum=aum)
