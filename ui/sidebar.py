"""The shared sidebar: language, snapshot, segment and the organisation filters.

The state that defines a view lives in the URL (``?lang=zh&snapshot=2026-09-30&segment=retail
&region=..&branch=..&rm=..``), so a copied link opens the same view, and every change of view
(a sidebar choice, a drill from a chart or table, a breadcrumb) adds a browser history entry,
so the back and forward buttons step through views. A value equal to its default (English, the
latest snapshot, all segments, no organisation filter) is left out of the URL.

How the URL and the widgets are kept in step is explained in :mod:`ui.urlstate`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis.expr.types as ir
import pandas as pd
import streamlit as st

from analytics import scenarios
from analytics.errors import RulesError
from analytics.i18n import LANGUAGES, segment_label, t
from analytics.rules import TierRules
from analytics.scope import BANK, SEGMENT_CHOICES, Access, Filters, Scope
from analytics.tuner import scenario_rules
from analytics.users import LOCAL_USER, User
from ui import data, urlstate

ORG_KEYS = ("region", "branch", "rm")
# The "all" choice of an organisation filter. A real option value, not None: Streamlit
# shows a select box whose state is None as "Choose an option".
ALL = ""


@dataclass(frozen=True)
class ViewContext:
    """What every page needs to know about the current view."""

    lang: str
    db: str
    data_version: str
    snapshot: dt.date | None
    snapshots: tuple[dt.date, ...]
    rules: TierRules
    filters: Filters
    #: The tuner scenario the view applies (:func:`analytics.scenarios.encode`), "" for none;
    #: ``rules`` are then the scenario's and ``current_rules`` the rules file's.
    scenario: str = ""
    current_rules: TierRules | None = None
    #: Who is looking: the scope every table is cut to first, and whether names are masked.
    access: Access = Access("local", BANK, mask=False)
    user: User = LOCAL_USER

    def url_view(self) -> dict[str, str]:
        """The URL parameters of this view (defaults left out)."""
        view = {} if self.lang == "en" else {"lang": self.lang}
        if self.scenario:
            view["scenario"] = self.scenario
        if self.snapshot and self.snapshots and self.snapshot != self.snapshots[-1]:
            view["snapshot"] = self.snapshot.isoformat()
        f = self.filters
        if f.segment != "all":
            view["segment"] = f.segment
        org = (f.region, f.branch, f.rm_id)
        view |= {key: value for key, value in zip(ORG_KEYS, org, strict=True) if value}
        return view

    def customers(self) -> ir.Table:
        """The customers table within the user's scope, narrowed to the filters (nothing runs yet)."""
        return data.customers(self.filters, self.access)


def drill(region: str | None = None, branch: str | None = None, rm: str | None = None) -> None:
    """Move the view to an organisation level (a callback: call it from on_click/on_select).

    ``drill()`` goes back to head office; ``drill(region=R)`` to a region, and so on.
    """
    st.session_state["region"] = region or ALL
    st.session_state["branch"] = branch or ALL
    st.session_state["rm"] = rm or ALL


# The URL parameters of a view; a value equal to its default is left out.
URL_KEYS = ("lang", "snapshot", "segment", "region", "branch", "rm", "scenario")


def _language_code(text: str) -> str:
    by_name = {name: code for code, name in LANGUAGES.items()}
    return by_name.get(text, text)  # older links carry the language's name


def _segment_changed() -> None:
    drill()  # the organisation choices differ per segment: start again from head office


def _segment(lang: str) -> str:
    """The segment control (ids as values, labels in the current language)."""
    urlstate.adopt("segment", "all")
    _keep_known("segment", list(SEGMENT_CHOICES), "all")
    chosen = st.sidebar.segmented_control(
        t("segment", lang),
        list(SEGMENT_CHOICES),
        format_func=lambda s: segment_label(s, lang),
        key="segment",
        on_change=_segment_changed,
        selection_mode="single",
        required=True,
    )
    return chosen or "all"


def _keep_known(key: str, options: list, default: str = ALL) -> None:
    # A remembered or linked choice that is not offered (another snapshot or segment, a
    # mistyped link) falls back to the default before the widget is drawn, which is the
    # one moment Streamlit allows it.
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


def _follow_latest(latest: str) -> None:
    # A view on the latest snapshot stays on the latest when a newer one is loaded; a view
    # on an earlier snapshot, chosen on purpose, stays where it is.
    seen = st.session_state.get("_latest_snapshot")
    if seen and seen != latest and st.session_state.get("snapshot") == seen:
        st.session_state["snapshot"] = latest
    st.session_state["_latest_snapshot"] = latest


def _on_region() -> None:
    st.session_state["branch"] = ALL
    st.session_state["rm"] = ALL


def _on_branch(org: pd.DataFrame) -> None:
    branch = st.session_state.get("branch")
    st.session_state["rm"] = ALL
    if branch:  # choosing a branch also places the view in its region
        st.session_state["region"] = org.loc[org["branch"] == branch, "region"].iloc[0]


def _lock(scope: Scope, org: pd.DataFrame) -> set[str]:
    # A branch or RM scope fixes the filters down to its own unit: set them before the widgets
    # are drawn (a link or a remembered choice elsewhere gives way) and draw them disabled.
    if scope.level not in ("branch", "rm"):
        return set()
    rows = org[org[scope.column] == scope.unit]
    fixed = {"region": rows["region"].iloc[0] if len(rows) else ALL}
    fixed["branch"] = (
        scope.unit if scope.level == "branch" else (rows["branch"].iloc[0] if len(rows) else ALL)
    )
    if scope.level == "rm":
        fixed["rm"] = scope.unit
    for key, value in fixed.items():
        st.session_state[key] = value
    return set(fixed)


def _org_filters(lang: str, org: pd.DataFrame, scope: Scope) -> tuple[str | None, str | None, str | None]:
    sb = st.sidebar
    for key in ORG_KEYS:
        urlstate.adopt(key, ALL)
    locked = _lock(scope, org)
    regions = [ALL, *sorted(org["region"].unique())]
    _keep_known("region", regions)
    region = sb.selectbox(
        t("region", lang),
        regions,
        format_func=lambda v: v or t("all_regions", lang),
        key="region",
        on_change=_on_region,
        disabled="region" in locked,
    )
    in_region = org[org["region"] == region] if region else org
    branches = [ALL, *sorted(in_region["branch"].unique())]
    _keep_known("branch", branches)
    branch = sb.selectbox(
        t("branch", lang),
        branches,
        format_func=lambda v: v or t("all_branches", lang),
        key="branch",
        on_change=_on_branch,
        args=(org,),
        disabled="branch" in locked,
    )
    in_branch = in_region[in_region["branch"] == branch] if branch else in_region
    rms = [ALL, *sorted(in_branch["rm_id"].unique())]
    _keep_known("rm", rms)
    rm = sb.selectbox(
        t("rm", lang),
        rms,
        format_func=lambda v: v or t("all_rms", lang),
        key="rm",
        disabled="rm" in locked or (not branch and len(rms) > 200),
    )
    return region or None, branch or None, rm or None


def language() -> str:
    """The language radio (first in the sidebar; also on the sign-in page)."""
    urlstate.adopt("lang", "en", _language_code)
    _keep_known("lang", list(LANGUAGES), "en")
    return st.sidebar.radio(
        "Language / 语言",
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        horizontal=True,
        key="lang",
    )


def render(user: User, salt: str = "") -> ViewContext:
    """Draw the sidebar and return the view it defines, within ``user``'s scope.

    The organisation filters offer only the units inside the scope; a branch or RM scope fixes
    them to its own unit, so no link or remembered choice can widen a view (and the tables are
    cut to the scope before any filter anyway, :mod:`ui.data`).
    """
    store = data.store()
    db = str(store.path)
    version = store.data_version()
    sb = st.sidebar
    urlstate.begin_run()
    access = Access(user.username, user.scope, mask=not user.identity, salt=salt)

    lang = language()

    snaps = data.snapshots(db, version)
    dates = tuple(snaps["snapshot_date"])
    snapshot = None
    filters = Filters()
    if dates:
        options = [d.isoformat() for d in reversed(dates)]
        urlstate.adopt("snapshot", options[0])
        _follow_latest(options[0])
        _keep_known("snapshot", options, options[0])
        chosen = sb.selectbox(t("snapshot", lang), options, key="snapshot")
        snapshot = dt.date.fromisoformat(chosen)

        segment = _segment(lang)
        org = data.organisation_choices(db, version, snapshot, segment, str(access.scope))
        region, branch, rm = _org_filters(lang, org, access.scope)
        filters = access.scope.narrow(Filters(segment=segment, region=region, branch=branch, rm_id=rm))

    current = data.rules()
    scenario, rules = _scenario(lang, current)
    context = ViewContext(
        lang=lang,
        db=db,
        data_version=version,
        snapshot=snapshot,
        snapshots=dates,
        rules=rules,
        filters=filters,
        scenario=scenario,
        current_rules=current,
        access=access,
        user=user,
    )
    view = context.url_view()
    urlstate.publish({key: view.get(key) for key in URL_KEYS})
    return context


def _scenario(lang: str, current: TierRules) -> tuple[str, TierRules]:
    """The rules the view applies: the rules file's, or a tuner scenario's (saved or linked)."""
    urlstate.adopt("scenario", ALL)
    labels = {ALL: t("rules_current", lang, name=current.name, version=current.version)}
    try:
        saved = scenarios.list_scenarios(data.rules_path())
    except RulesError as exc:
        st.sidebar.warning(str(exc))
        saved = []
    for sc in saved:
        labels.setdefault(scenarios.encode(sc.as_dict()), t("rules_scenario", lang, name=sc.name))
    chosen = st.session_state.get("scenario") or ALL
    if chosen not in labels:  # a link to a scenario nobody saved under a name
        labels[chosen] = t("rules_linked", lang)
    value = st.sidebar.selectbox(t("rules", lang), list(labels), format_func=labels.get, key="scenario")
    if not value:
        return ALL, current
    try:
        assignments = scenarios.decode(value)
        rules = scenario_rules(current, assignments, name=labels[value])
    except RulesError as exc:  # a crafted or outdated link: say so, show the current rules
        st.sidebar.warning(t("rules_bad_link", lang, reason=str(exc)))
        return ALL, current
    st.sidebar.caption(t("rules_scenario_note", lang))
    return value, rules


def menu(container, nav: dict[str, list], ctx: ViewContext) -> None:
    """The page menu, by section; each link keeps the current view (Streamlit's own menu
    would drop query parameters that are not bound to widgets)."""
    view = ctx.url_view()
    with container:
        for section, pages in nav.items():
            st.caption(section)
            for page in pages:
                st.page_link(page, query_params=view)
        st.divider()


def breadcrumb(ctx: ViewContext) -> None:
    """Head office › region › branch › RM, each a button back to that level."""
    f = ctx.filters
    steps = [(t("head_office", ctx.lang), {})]
    if f.region:
        steps.append((f.region, {"region": f.region}))
    if f.branch:
        steps.append((f.branch, {"region": f.region, "branch": f.branch}))
    if f.rm_id:
        steps.append((f.rm_id, {"region": f.region, "branch": f.branch, "rm": f.rm_id}))
    # Levels wider than the user's scope are not offered: a branch starts at its branch
    widest = {"branch": 2, "rm": 3}.get(ctx.access.scope.level, 0)
    steps = steps[min(widest, len(steps) - 1) :] if widest else steps
    if len(steps) == 1:
        return
    cols = st.columns([1] * len(steps) + [max(1, 8 - len(steps))], gap="small", vertical_alignment="center")
    for i, (label, target) in enumerate(steps):
        last = i == len(steps) - 1
        cols[i].button(
            label if i == 0 else f"› {label}",
            icon=":material/account_balance:" if i == 0 else None,
            key=f"crumb_{i}",
            on_click=drill,
            kwargs=target,
            disabled=last,
            type="tertiary",
        )
