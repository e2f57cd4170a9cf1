"""What is loaded (the catalogue and the load log) and deleting a snapshot, for the data page.

A deletion takes two steps: choose the snapshot and press delete, then confirm in the
warning that names the table, the date and the number of rows.
"""

from __future__ import annotations

from pathlib import PurePath

import pandas as pd
import streamlit as st

from analytics.errors import LoadBusyError, TierscopeError
from analytics.i18n import format_count, t
from analytics.store import Store
from ui import access, data
from ui.upload import flash


@st.cache_data(show_spinner=False, max_entries=16)
def _catalogue(db: str, data_version: str) -> pd.DataFrame:
    return data.store().catalogue()


def catalogue() -> pd.DataFrame:
    """The store's catalogue, cached until the data changes.

    The data version is read here rather than taken from the sidebar's view, so the page
    is right even in the run that follows its own load or deletion.
    """
    store = data.store()
    return _catalogue(str(store.path), store.data_version())


def has_customers(cat: pd.DataFrame) -> bool:
    """True when at least one customer snapshot is loaded."""
    return bool((cat["table"] == "customers").any())


def source_label(source: str | None, lang: str) -> str:
    """A load's source as a person reads it: file names without the (temporary) folders."""
    if not source:
        return ""
    if source == "demo":
        return t("data_source_demo", lang)
    if source == Store.DELETED:
        return t("data_source_deleted", lang)
    return ", ".join(PurePath(s).name for s in source.split(", "))


def catalogue_frame(cat: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The catalogue with translated headers and table names, one period column."""
    period = [
        d.isoformat() if s is not None else f"{d.isoformat()} – {e.isoformat()}"
        for s, d, e in zip(cat["snapshot_date"], cat["date_from"], cat["date_to"], strict=True)
    ]
    return pd.DataFrame(
        {
            t("data_col_table", lang): [t(f"data_table_{x}", lang) for x in cat["table"]],
            t("data_col_snapshot", lang): period,
            t("data_col_rows", lang): cat["rows"].astype("int64"),
            t("data_col_loaded_at", lang): cat["loaded_at"],
            t("data_col_source", lang): [source_label(s, lang) for s in cat["source"]],
        }
    )


def show_catalogue(cat: pd.DataFrame, lang: str) -> None:
    """The loaded snapshots and event tables with row counts and load times."""
    st.subheader(t("data_catalogue_title", lang))
    if cat.empty:
        st.info(t("data_catalogue_empty", lang))
        return
    st.dataframe(
        catalogue_frame(cat, lang),
        hide_index=True,
        width="stretch",
        column_config={
            t("data_col_rows", lang): st.column_config.NumberColumn(format="localized"),
            t("data_col_loaded_at", lang): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss"),
        },
    )


def delete_form(cat: pd.DataFrame, lang: str) -> None:
    """Choose a snapshot, press delete, confirm: then it is deleted and the deletion logged."""
    snaps = cat[cat["snapshot_date"].notna()]
    if snaps.empty:
        return
    st.subheader(t("data_delete_title", lang))
    rows = {f"{r.table}/{r.snapshot_date.isoformat()}": int(r.rows) for r in snaps.itertuples()}

    def label(choice: str) -> str:
        table, day = choice.split("/")
        return f"{t(f'data_table_{table}', lang)} · {day} · {format_count(rows[choice], lang)}"

    choice = st.selectbox(
        t("data_delete_select", lang),
        list(rows),
        index=None,
        format_func=label,
        placeholder=t("data_delete_placeholder", lang),
        key=f"delete_choice_{st.session_state.get('delete_nonce', 0)}",  # a new key empties it
    )
    if st.button(t("data_delete_button", lang), disabled=choice is None, key="delete_ask"):
        st.session_state["delete_pending"] = choice
    pending = st.session_state.get("delete_pending")
    if pending is None or pending != choice:  # another choice cancels an unconfirmed deletion
        st.session_state.pop("delete_pending", None)
        return
    table, day = pending.split("/")
    st.warning(
        t(
            "data_delete_confirm_text",
            lang,
            table=t(f"data_table_{table}", lang),
            date=day,
            rows=format_count(rows[pending], lang),
        )
    )
    buttons = st.container(horizontal=True)
    if buttons.button(t("data_delete_confirm", lang), type="primary", key="delete_confirm"):
        _delete(data.store(), table, day, lang)
    if buttons.button(t("data_cancel", lang), key="delete_cancel"):
        st.session_state.pop("delete_pending", None)
        st.rerun()


def _delete(store: Store, table: str, day: str, lang: str) -> None:
    try:
        removed = store.delete_snapshot(table, day)
    except LoadBusyError:
        st.error(t("data_busy", lang))
        return
    except TierscopeError as exc:  # e.g. deleted meanwhile in another session
        st.error(t("data_error_nothing_changed", lang, message=str(exc)))
        return
    access.record_here("delete_snapshot", f"{table} {day}: {removed} rows")
    st.cache_data.clear()  # every page forgets the deleted snapshot
    st.session_state.pop("delete_pending", None)
    st.session_state["delete_nonce"] = st.session_state.get("delete_nonce", 0) + 1
    flash(
        "success",
        t(
            "data_deleted",
            lang,
            table=t(f"data_table_{table}", lang),
            date=day,
            rows=format_count(removed, lang),
        ),
    )
    st.rerun()


def show_history(lang: str) -> None:
    """The load log (loads, demo builds and deletions), newest first, in an expander."""
    store = data.store()
    log = _history(str(store.path), store.data_version())
    if log.empty:
        return
    with st.expander(t("data_history", lang)):
        st.caption(t("data_history_help", lang))
        shown = pd.DataFrame(
            {
                t("data_col_load_id", lang): log["load_id"],
                t("data_col_table", lang): [t(f"data_table_{x}", lang) for x in log["table_name"]],
                t("data_col_snapshot", lang): [
                    "" if pd.isna(d) else pd.Timestamp(d).date().isoformat() for d in log["snapshot_date"]
                ],
                t("data_col_rows", lang): log["row_count"],
                t("data_col_source", lang): [source_label(s, lang) for s in log["source"]],
                t("data_col_loaded_at", lang): log["loaded_at"],
                t("data_col_seconds", lang): log["seconds"],
            }
        )
        st.dataframe(shown, hide_index=True, width="stretch")


@st.cache_data(show_spinner=False, max_entries=16)
def _history(db: str, data_version: str) -> pd.DataFrame:
    return data.store().load_history()
