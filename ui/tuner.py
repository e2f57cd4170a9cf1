"""The threshold tuner's widgets and tables (the page, pages/tuner.py, only wires them).

The tuner's index (:func:`analytics.tuner.prepare`: sorted values and running totals of one
snapshot and scope) is kept with ``st.cache_resource``: it is customer-level, so it must
never be pickled by ``st.cache_data``; a few views are kept. Every slider move then costs a
:func:`analytics.tuner.simulate` of a few milliseconds, in a fragment of its own.

The working scenario is in the URL (``?tune=retail.private:3000000;...``, only the
numbers that differ from the rules file), so the address bar shares it.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pandas as pd
import streamlit as st

from analytics import frames, scenarios, tuner
from analytics.errors import RulesError
from analytics.i18n import format_count, format_money, t, tier_label
from analytics.rules import TierRules
from analytics.scope import Access, Filters
from analytics.tuner import TunerIndex, WorkloadParams
from ui import access, context, data, export
from ui.migration import safe_csv

#: Slider range and step per key (CNY); the number input beside it takes any value.
SLIDERS: dict[str, tuple[float, float, float]] = {
    "retail.emerging": (0.0, 500_000.0, 5_000.0),
    "retail.affluent": (0.0, 2_000_000.0, 10_000.0),
    "retail.hnw": (0.0, 10_000_000.0, 50_000.0),
    "retail.private": (0.0, 50_000_000.0, 100_000.0),
    "corporate.large_annual_sales": (0.0, 1_000_000_000.0, 5_000_000.0),
    "no_loan.above_scale_deposit_avg_daily": (0.0, 5_000_000.0, 10_000.0),
}
INDUSTRY_PREFIX = "corporate.large_annual_sales_by_industry."
MOVERS_SHOWN = 200
MOVERS_DOWNLOAD = 200_000


@st.cache_resource(show_spinner=False, max_entries=4)
def _index(
    db: str,
    data_version: str,
    filters: tuple,
    access_key: tuple,
    snapshot: dt.date,
    standards: str,
    matrices: bool,
    _rules: TierRules,
    _access: Access,
) -> TunerIndex:
    f = Filters(*filters)
    prospects = data.scoped("prospects", f, _access) if matrices else None
    return tuner.prepare(
        data.customers(f, _access),
        rules=_rules,
        snapshot_date=snapshot,
        matrices=matrices,
        prospects=prospects,
    )


def index(ctx, baseline: TierRules, *, matrices: bool = False) -> TunerIndex:
    """The tuner index of the view's snapshot and scope (prepared once, then reused)."""
    f = ctx.filters
    return _index(
        ctx.db,
        ctx.data_version,
        (f.segment, f.region, f.branch, f.rm_id),
        ctx.access.key,
        ctx.snapshot,
        baseline.fingerprint,
        matrices,
        baseline,
        ctx.access,
    )


def subtitle(ctx, baseline: TierRules) -> str:
    """The line under every tuner chart: snapshot, scope and the baseline rules."""
    return frames.tuner_subtitle(
        snapshot_date=ctx.snapshot, filters=ctx.filters, rules=baseline, lang=ctx.lang
    )


def show_table(df: pd.DataFrame, *, title: str, key: str, subtitle: str) -> None:
    """A table with thousands separators in its number columns, and its exports."""
    config = {
        c: st.column_config.NumberColumn(format="localized")
        for c in df.columns
        if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
    }
    export.show_table(df, title=title, key=key, subtitle=subtitle, column_config=config)


# -- the working scenario and its widgets -------------------------------------------------------


def _state_key(key: str) -> str:
    return f"tv:{key}"


def adopt_url(baseline: TierRules) -> None:
    """Take the working scenario from the URL when the URL changed from outside (a link, back)."""
    external = st.session_state.get("_url_external", True)
    if not external and st.session_state.get("_tune_loaded"):
        return
    st.session_state["_tune_loaded"] = True
    values = tuner.tunable_values(baseline)
    try:
        linked = scenarios.decode(st.query_params.get("tune", ""))
    except RulesError as exc:
        st.warning(t("tu_bad_link", "en", reason=str(exc)))
        linked = {}
    for key, value in {**values, **linked}.items():
        set_value(key, value)


def set_value(key: str, value: Any) -> None:
    """Set one tunable number in the working scenario (and the two widgets showing it)."""
    st.session_state[_state_key(key)] = value
    if not isinstance(value, str):
        st.session_state[f"ni:{key}"] = float(value)
        if key in SLIDERS or key.startswith(INDUSTRY_PREFIX):
            lo, hi, _ = SLIDERS.get(key, SLIDERS["corporate.large_annual_sales"])
            st.session_state[f"sl:{key}"] = float(min(max(value, lo), hi))


def working(baseline: TierRules) -> dict[str, Any]:
    """The numbers of the working scenario that differ from the baseline."""
    values = tuner.tunable_values(baseline)
    out = {}
    for key, base in values.items():
        value = st.session_state.get(_state_key(key), base)
        if value != base:
            out[key] = value
    return out


def _from_number(key: str) -> None:
    set_value(key, st.session_state[f"ni:{key}"])


def _from_slider(key: str) -> None:
    set_value(key, st.session_state[f"sl:{key}"])


def threshold(key: str, label: str, baseline: float, lang: str) -> None:
    """A slider and a number input for one threshold, kept equal."""
    lo, hi, step = SLIDERS.get(key, SLIDERS["corporate.large_annual_sales"])
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    left.slider(
        label,
        min_value=lo,
        max_value=hi,
        step=step,
        key=f"sl:{key}",
        on_change=_from_slider,
        args=(key,),
        format="%.0f",
        help=t("tu_baseline_help", lang, value=f"{baseline:,.0f}"),
    )
    right.number_input(
        t("tu_exact", lang, label=label),  # hidden, but what a screen reader says
        min_value=0.0,
        step=step,
        key=f"ni:{key}",
        on_change=_from_number,
        args=(key,),
        format="%.0f",
        label_visibility="collapsed",
    )


def cut_input(key: str, label: str, lang: str, median: float | None) -> None:
    """A matrix cut point: the median of the view, or a number."""
    current = st.session_state.get(_state_key(key), "median")
    use_median = st.checkbox(
        t("tu_use_median", lang, value="n/a" if median is None else f"{median:,.2f}"),
        value=current == "median",
        key=f"md:{key}",
    )
    if use_median:
        st.session_state[_state_key(key)] = "median"
        return
    if f"ni:{key}" not in st.session_state or current == "median":
        st.session_state[f"ni:{key}"] = float(median or 0.0)
    st.number_input(label, key=f"ni:{key}", on_change=_from_number, args=(key,), format="%.2f")
    st.session_state[_state_key(key)] = float(st.session_state[f"ni:{key}"])


def reset(baseline: TierRules) -> None:
    """Back to the baseline rules (a button callback)."""
    for key, value in tuner.tunable_values(baseline).items():
        set_value(key, value)


def apply(baseline: TierRules, assignments: dict[str, Any]) -> None:
    """Load a scenario's numbers into the tuner (a button callback)."""
    reset(baseline)
    for key, value in assignments.items():
        set_value(key, value)


def workload_params(lang: str) -> WorkloadParams:
    """The configurable time per activity and the capacity of a manager."""
    d = WorkloadParams()
    cols = st.columns(4)
    values = {}
    for col, (name, step) in zip(
        cols,
        (
            ("hours_per_contact", 0.25),
            ("hours_per_event", 0.25),
            ("hours_per_senior_visit", 0.5),
            ("hours_per_manager_year", 50.0),
        ),
        strict=True,
    ):
        values[name] = col.number_input(
            t(f"tu_{name}", lang),
            min_value=0.0 if name != "hours_per_manager_year" else 1.0,
            value=float(getattr(d, name)),
            step=step,
            key=f"wl:{name}",
        )
    return WorkloadParams(**values)


# -- figures and tables (the page's tables are built by analytics.frames) --------------------------


def metrics(sim: tuner.Simulation, lang: str) -> None:
    """Headline numbers: customers moving, managers needed, top-tier AUM."""
    wl = sim.workload_total
    cols = st.columns(3)
    cols[0].metric(t("tu_moved", lang), format_count(sim.moved_customers, lang))
    cols[1].metric(
        t("tu_managers_needed", lang),
        f"{wl['scenario_managers_needed']:,.1f}",
        delta=f"{wl['scenario_managers_needed'] - wl['baseline_managers_needed']:+,.1f}",
        delta_color="inverse",
        help=t("tu_managers_help", lang, managers=wl["managers"]),
    )
    private = sim.tiers.set_index("tier").loc["private"]
    cols[2].metric(
        t("tu_private_aum", lang),
        format_money(private["scenario_aum"], lang),
        delta=format_money(private["aum_change"], lang),
    )


def movers_csv(df: pd.DataFrame, lang: str) -> bytes:
    """The movers as a spreadsheet-safe CSV (formula-like text neutralised)."""
    return safe_csv(frames.movers_frame(df, lang))


def comparison(
    index_: TunerIndex, baseline: TierRules, chosen: list, params: WorkloadParams, lang: str
) -> pd.DataFrame:
    """Up to three scenarios side by side: customers and AUM per tier, movers, managers needed."""
    columns: dict[str, list] = {}
    rows = None
    for name, assignments in chosen:
        sim = tuner.simulate(
            index_, baseline=baseline, scenario=tuner.scenario_rules(baseline, assignments), workload=params
        )
        tiers = sim.tiers[(sim.tiers["baseline_customers"] > 0) | (sim.tiers["scenario_customers"] > 0)]
        if rows is None:
            rows = [tier_label(x, lang) for x in tiers["tier"]] + [
                t("tu_moved", lang),
                t("tu_managers_needed", lang),
            ]
            columns[t("tier", lang)] = rows
            columns[t("tu_col_base_customers", lang)] = [
                *map(int, tiers["baseline_customers"]),
                0,
                round(sim.workload_total["baseline_managers_needed"], 1),
            ]
        columns[f"{name} · {t('customers', lang)}"] = [
            *map(int, tiers["scenario_customers"]),
            sim.moved_customers,
            round(sim.workload_total["scenario_managers_needed"], 1),
        ]
        columns[f"{name} · {t('tu_aum_cny', lang)}"] = [*tiers["scenario_aum"].round(0), None, None]
    return pd.DataFrame(columns)


# -- sections that act on the working scenario ---------------------------------------------------


def movers_section(ctx, baseline: TierRules, scenario: TierRules, changes: dict, lang: str) -> None:
    """Who moves: listed on request (an engine query), with a spreadsheet-safe download."""
    st.subheader(t("tu_movers_section", lang))
    if not changes:
        st.caption(t("tu_no_changes", lang))
        return
    token = (
        ctx.db,
        ctx.data_version,
        ctx.filters,
        ctx.access.key,
        ctx.snapshot,
        baseline.fingerprint,
        scenarios.encode(changes),
    )
    kept = st.session_state.get("_tune_movers")
    if st.button(t("tu_list_movers", lang), icon=":material/list:"):
        with st.spinner(t("tu_listing", lang)):
            df = data.private(
                tuner.movers(
                    ctx.customers(),
                    baseline=baseline,
                    scenario=scenario,
                    snapshot_date=ctx.snapshot,
                    limit=MOVERS_DOWNLOAD,
                ),
                ctx,
            )
        kept = (token, df)
        st.session_state["_tune_movers"] = kept  # session only: customer rows are never cached
    if not kept or kept[0] != token:
        return
    df = kept[1]
    shown = frames.movers_frame(df.head(MOVERS_SHOWN), lang)
    st.dataframe(shown, hide_index=True, width="stretch")
    if len(df) >= MOVERS_DOWNLOAD:
        st.caption(t("tu_movers_capped", lang, n=format_count(MOVERS_DOWNLOAD, lang)))
    st.download_button(
        t("tu_download_movers", lang, n=format_count(len(df), lang)),
        data=access.audited(
            functools.partial(movers_csv, df, lang), "export", f"csv · tier movers · {len(df)} customers"
        ),
        file_name=f"tier_movers_{ctx.snapshot.isoformat()}.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    export.xlsx_button(
        functools.partial(frames.movers_frame, df, lang),
        title=t("tu_movers_section", lang),
        subtitle=subtitle(ctx, baseline),
        file_stem=f"tier_movers_{ctx.snapshot.isoformat()}",
        key="tu_movers",
    )


def _use_everywhere(encoded: str) -> None:
    st.session_state["scenario"] = encoded


def _describe(assignments: dict) -> str:
    return "; ".join(f"{k} = {v if isinstance(v, str) else f'{v:,.0f}'}" for k, v in assignments.items())


def scenarios_section(
    index_: TunerIndex, baseline: TierRules, changes: dict, params: WorkloadParams, lang: str
) -> None:
    """Save the working scenario, load or delete saved ones, compare up to three, share one."""
    st.subheader(t("tu_scenarios_section", lang))
    path = data.rules_path()
    try:
        saved = scenarios.list_scenarios(path)
    except RulesError as exc:
        st.error(str(exc))
        saved = []
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    name = left.text_input(t("tu_scenario_name", lang), key="tu_name", max_chars=scenarios.NAME_MAX)
    if right.button(t("tu_save", lang), disabled=not changes, icon=":material/save:"):
        try:
            scenarios.save_scenario(path, name, changes, base_version=baseline.version)
            st.success(t("tu_saved", lang, name=name.strip()))
            st.rerun(scope="app")  # the sidebar lists saved scenarios too
        except RulesError as exc:
            st.error(str(exc))
    if changes:
        encoded = scenarios.encode(changes)
        st.caption(t("tu_share", lang))
        st.code(f"?tune={encoded}", language=None)
        st.button(
            t("tu_use_everywhere", lang), on_click=_use_everywhere, args=(encoded,), icon=":material/public:"
        )
    for sc in saved:
        cols = st.columns([4, 1, 1], vertical_alignment="center")
        cols[0].markdown(f"**{sc.name}** · v{sc.base_version} · {_describe(sc.as_dict())}")
        cols[1].button(
            t("tu_load", lang), key=f"load:{sc.name}", on_click=apply, args=(baseline, sc.as_dict())
        )
        if cols[2].button(t("tu_delete", lang), key=f"del:{sc.name}"):
            scenarios.delete_scenario(path, sc.name)
            st.rerun(scope="app")
    chosen = st.multiselect(
        t("tu_compare", lang),
        [sc.name for sc in saved],
        max_selections=scenarios.COMPARE_MAX,
        key="tu_compare",
    )
    if chosen:
        by_name = {sc.name: sc.as_dict() for sc in saved}
        try:
            table = comparison(index_, baseline, [(n, by_name[n]) for n in chosen], params, lang)
        except RulesError as exc:  # saved against other rules that no longer fit
            st.error(str(exc))
            return
        show_table(
            table,
            title=t("tu_compare", lang),
            key="tu_compare",
            subtitle=subtitle(context.current(), baseline),
        )


def suggest_section(
    index_: TunerIndex, baseline: TierRules, changes: dict, params: WorkloadParams, lang: str
) -> None:
    """A goal (a tier's share of AUM or customers, or a number of managers) -> thresholds."""
    st.subheader(t("tu_suggest_section", lang))
    cols = st.columns(3)
    goal = cols[0].selectbox(
        t("tu_goal", lang), tuner.GOALS, format_func=lambda g: t(f"tu_goal_{g}", lang), key="tu_goal"
    )
    if goal == "managers":
        target = cols[1].number_input(
            t("tu_goal_managers_n", lang), min_value=1.0, value=600.0, step=10.0, key="tu_goal_n"
        )
        tier = "private"
    else:
        tier = cols[1].selectbox(
            t("tier", lang),
            ("emerging", "affluent", "hnw", "private"),
            index=3,
            format_func=lambda x: tier_label(x, lang),
            key="tu_goal_tier",
        )
        target = (
            cols[2].number_input(
                t("tu_goal_share", lang),
                min_value=1.0,
                max_value=99.0,
                value=40.0,
                step=1.0,
                key="tu_goal_pct",
            )
            / 100
        )
    if st.button(t("tu_suggest", lang), icon=":material/auto_fix_high:"):
        try:
            st.session_state["_tune_suggestion"] = tuner.suggest(
                index_, baseline=baseline, goal=goal, target=target, tier=tier, workload=params
            )
        except RulesError as exc:
            st.error(str(exc))
    suggestion = st.session_state.get("_tune_suggestion")
    if suggestion is None:
        return
    (st.success if suggestion.met else st.warning)(suggestion.explanation)
    st.button(
        t("tu_apply_suggestion", lang),
        on_click=apply,
        args=(baseline, {**changes, **suggestion.assignments}),
        icon=":material/check:",
    )


def _adopt(path, scenario: TierRules, changes: dict) -> None:
    # A callback: it may reset the confirmation box, which the body cannot once it is drawn
    name = st.session_state.get("tu_adopt_name", "").strip() or None
    ctx = context.current()
    if not ctx.user.is_admin:  # the button is not offered; a forged click still changes nothing
        st.session_state["_tu_adopt_msg"] = ("error", t("ac_admin_only", ctx.lang))
        return
    try:
        adopted = scenarios.adopt(path, scenario, name=name)
    except RulesError as exc:
        st.session_state["_tu_adopt_msg"] = ("error", str(exc))
        return
    access.record_here("adopt_rules", f"{adopted.name} v{adopted.version}: {scenarios.encode(changes)}")
    st.session_state["tu_adopt_sure"] = False
    st.session_state["_tu_adopt_msg"] = ("success", (adopted.name, adopted.version))
    st.session_state["_tu_adopted_now"] = True


def adopt_section(baseline: TierRules, scenario: TierRules, changes: dict, lang: str) -> None:
    """Adopt the working scenario as the next version of the rules file; the history of versions."""
    if st.session_state.pop("_tu_adopted_now", False):
        st.rerun(scope="app")  # every page, the sidebar and the tuner's baseline read the new rules
    path = data.rules_path()
    with st.expander(t("tu_adopt_section", lang), icon=":material/gavel:"):
        if not context.current().user.is_admin:
            st.caption(t("ac_admin_only", lang))
            return
        st.caption(t("tu_adopt_note", lang, path=str(path)))
        message = st.session_state.pop("_tu_adopt_msg", None)
        if message and message[0] == "error":
            st.error(message[1])
        elif message:
            st.success(t("tu_adopted", lang, name=message[1][0], version=message[1][1]))
        st.text_input(t("tu_adopt_name", lang), key="tu_adopt_name")
        sure = st.checkbox(t("tu_adopt_confirm", lang, version=baseline.version + 1), key="tu_adopt_sure")
        st.button(
            t("tu_adopt", lang),
            disabled=not (changes and sure),
            type="primary",
            on_click=_adopt,
            args=(path, scenario, changes),
        )
        try:
            export.show_table(
                scenarios.rules_history(path),
                title=t("tu_history", lang),
                key="tu_history",
                subtitle=str(path),
            )
        except RulesError as exc:
            st.error(str(exc))
