"""Who is signed in, and the audit of what they do.

Three ways in, decided by configuration:

- **No users file** (``data/users.toml``, or ``TIERSCOPE_USERS``): the app runs as the single
  local head-office user, who may also load data and adopt rules, and says so in the sidebar.
- **A users file**: a sign-in form checks the username and password against the file's salted
  scrypt hashes (:mod:`analytics.users`).
- **OIDC** (an ``[auth]`` section in ``.streamlit/secrets.toml``, see docs/access.md): a
  *single sign-on* button calls ``st.login``; the identity provider's e-mail is looked up in
  the users file for the role and scope. Someone the file does not know is signed in with no
  scope and sees nothing (default deny).

Sign-ins, failed sign-ins, sign-outs, loads, rule adoptions and exports go to the append-only
audit table (:mod:`analytics.audit`) with the user, the time and the scope.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from analytics import audit
from analytics.i18n import t
from analytics.rules import DEFAULT_RULES_PATH
from analytics.users import LOCAL_USER, Directory, User, load_users
from ui import data

log = logging.getLogger("tierscope")

_SESSION_USER = "_user"
_OIDC_SEEN = "_oidc_signed_in"

#: Failed password sign-ins of a username that lock it for a while, and for how long (seconds).
MAX_FAILURES, LOCK_SECONDS = 5, 15 * 60
# username -> times of its recent failed sign-ins, in this server process
_FAILURES: dict[str, list[float]] = {}
_FAILURES_LOCK = threading.Lock()


def _locked_for(username: str, now: float) -> float:
    """Seconds until ``username`` may try again (0 when it may)."""
    with _FAILURES_LOCK:
        recent = [t0 for t0 in _FAILURES.get(username, []) if now - t0 < LOCK_SECONDS]
        _FAILURES[username] = recent
        return LOCK_SECONDS - (now - recent[-MAX_FAILURES]) if len(recent) >= MAX_FAILURES else 0.0


def _failed(username: str, now: float) -> None:
    with _FAILURES_LOCK:
        _FAILURES.setdefault(username, []).append(now)


def users_file() -> Path:
    """The users file: ``TIERSCOPE_USERS`` when set, else ``data/users.toml``."""
    env = os.environ.get("TIERSCOPE_USERS")
    return Path(env).expanduser().resolve() if env else DEFAULT_RULES_PATH.parent / "users.toml"


@st.cache_resource(show_spinner=False, max_entries=4)
def _directory(path: str, mtime: int) -> Directory | None:
    return load_users(Path(path))


def directory() -> Directory | None:
    """The configured users (re-read when the file changes), or ``None`` when there is no file."""
    path = users_file()
    if not path.exists():
        return None
    return _directory(str(path), path.stat().st_mtime_ns)


def oidc_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` configures an OIDC provider (``[auth]``)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file, or one that does not parse: no OIDC
        return False


def _unknown(email: str) -> User:
    # Signed in at the identity provider but not in the users file: a user with no scope.
    return User(username=email or "unknown", name=email or "unknown", role="rm", rm=None, identity=False)


def current_user() -> User | None:
    """The signed-in user, or ``None`` when someone still has to sign in."""
    users = directory()
    if users is None:
        return LOCAL_USER
    name = st.session_state.get(_SESSION_USER)
    if name:
        user = users.get(name)
        if user is not None:
            return user
        st.session_state.pop(_SESSION_USER, None)  # removed from the file: signed out
    if oidc_configured() and st.user.is_logged_in:
        email = str(st.user.get("email") or "")
        user = users.by_email(email) or _unknown(email)
        if not st.session_state.get(_OIDC_SEEN):
            st.session_state[_OIDC_SEEN] = True
            record(user, "sign_in", "oidc" if users.by_email(email) else "oidc, not in the users file")
        return user
    return None


def record(user: User, action: str, detail: str = "", *, store=None) -> None:
    """Add a line to the audit log; a failure to write it is logged, never shown as a traceback.

    ``store`` is given when the call comes from another thread than the script's (a download
    being made): the store is then taken while the script runs.
    """
    try:
        audit.record(
            store or data.store(),
            user=user.username,
            role=user.role or None,  # a failed sign-in has no role
            scope=str(user.scope),
            action=action,
            detail=detail,
        )
    except Exception:  # noqa: BLE001 - the audit must not take the page down with it
        log.exception("audit record failed: %s %s", user.username, action)


def sign_in_page(users: Directory, lang: str) -> None:
    """The sign-in form (and the single sign-on button when OIDC is configured)."""
    st.title(t("ac_sign_in_title", lang))
    st.caption(t("ac_sign_in_intro", lang))
    with st.form("sign_in", border=True, enter_to_submit=True):
        username = st.text_input(t("ac_username", lang), key="sign_in_user", max_chars=120)
        password = st.text_input(t("ac_password", lang), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("ac_sign_in", lang), type="primary")
    if submitted:
        name, now = username.strip()[:120], time.monotonic()
        wait = _locked_for(name, now)
        if wait > 0:  # too many failures: not even checked, so guessing gains nothing
            record(User(username=name or "-", role=""), "sign_in_failed", "locked")
            st.error(t("ac_locked", lang, minutes=math.ceil(wait / 60)))
            return
        user = users.authenticate(name, password)
        if user is None:
            _failed(name, now)
            record(User(username=name or "-", role=""), "sign_in_failed", "password")
            st.error(t("ac_sign_in_failed", lang))
        else:
            st.session_state[_SESSION_USER] = user.username
            record(user, "sign_in", "password")
            st.rerun()
    if oidc_configured():
        st.divider()
        st.button(t("ac_sign_in_sso", lang), icon=":material/login:", on_click=st.login, key="sign_in_sso")


def _sign_out(user: User, oidc: bool) -> None:
    record(user, "sign_out")
    st.session_state.pop(_SESSION_USER, None)
    st.session_state.pop(_OIDC_SEEN, None)
    if oidc:
        st.logout()


def sidebar_user(user: User, lang: str) -> None:
    """Who is signed in, their scope, and the sign-out button (or the local-mode note)."""
    sb = st.sidebar
    if user is LOCAL_USER:
        sb.caption(t("ac_local_mode", lang))
        return
    sb.markdown(f"**{user.describe(lang)}**")
    if user.scope.level == "none":
        sb.warning(t("ac_no_scope", lang))
    sb.button(
        t("ac_sign_out", lang),
        icon=":material/logout:",
        key="sign_out",
        on_click=_sign_out,
        args=(user, oidc_configured() and st.user.is_logged_in),
        type="tertiary",
    )


def audited(make: Callable[[], bytes], action: str, detail: str) -> Callable[[], bytes]:
    """``make`` (a download's data callable) that also records who downloaded what, when it runs."""
    ctx = st.session_state.get("context")
    user = ctx.user if ctx is not None else LOCAL_USER
    store = data.store()

    def run() -> bytes:
        out = make()
        record(user, action, detail, store=store)
        return out

    return run


def record_here(action: str, detail: str = "") -> None:
    """:func:`record` for the user of the current view (loads, deletions, adoptions, exports)."""
    ctx = st.session_state.get("context")
    record(ctx.user if ctx is not None else LOCAL_USER, action, detail)


def require_admin(lang: str) -> bool:
    """Whether the current user is an administrator; if not, say so (the caller stops)."""
    ctx = st.session_state.get("context")
    if ctx is not None and ctx.user.is_admin:
        return True
    st.error(t("ac_admin_only", lang))
    return False


def audit_section(lang: str) -> None:
    """The audit log for an administrator: newest first, and whether its hash chain is intact."""
    store = data.store()
    check = audit.verify(store)
    if check.ok:
        st.caption(t("ac_audit_ok", lang, n=check.rows))
    else:
        st.error(t("ac_audit_broken", lang, seq=check.first_bad_seq, n=check.rows))
    log = audit.read(store, limit=AUDIT_SHOWN)
    if log.empty:
        return
    shown = log.rename(columns={c: t(f"ac_col_{c}", lang) for c in log.columns})
    st.dataframe(shown, hide_index=True, width="stretch", height=min(36 * (len(shown) + 1) + 3, 36 * 16))


#: Rows of the audit log the data page shows (the command line shows any number).
AUDIT_SHOWN = 500
