"""Widget state mirrored in the URL, with a history entry per change of view.

The state that defines a view (sidebar choices, and a page's own settings such as matrix cut
points) lives in the URL, so a copied link opens the same view and the back and forward
buttons step through views. Widgets are not bound with ``bind="query-params"``: a bound
widget's change replaces the current history entry instead of adding one, and a callback
could not move a bound widget (a drill) in the same run.

Instead, the URL and the session are kept in step by hand:

* :func:`begin_run` (the sidebar calls it first thing in every run) compares the URL with
  the one this session last published. A difference means the URL was changed from
  outside (a pasted link, back, forward, a menu link): then the URL wins for this run.
* :func:`adopt` is called before drawing a widget keyed ``name``; when the URL won, or the
  widget is new in the session, it copies the URL's value (or the default) into the
  session state, which is the one moment Streamlit allows that.
* :func:`publish` writes values to the URL after the widgets are drawn. A change is one
  ``st.query_params`` update, which the browser records as one new history entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

_PUBLISHED = "_url_published"
_EXTERNAL = "_url_external"


def _url() -> dict[str, str]:
    return {key: st.query_params[key] for key in st.query_params}


def begin_run() -> bool:
    """Note whether the URL changed from outside since this session last wrote it.

    Returns
    -------
    bool
        True when the URL's values win in this run.
    """
    url = _url()
    external = url != st.session_state.get(_PUBLISHED)
    st.session_state[_EXTERNAL] = external
    if external:
        st.session_state[_PUBLISHED] = url
    return external


def adopt(name: str, default: Any, convert: Callable[[str], Any] = str) -> None:
    """Before drawing the widget keyed ``name``: take its value from the URL when due.

    Parameters
    ----------
    name : str
        The widget key, also the URL parameter.
    default : object
        The value when the URL has none (or one that ``convert`` refuses).
    convert : callable
        Turns the URL text into the widget's value (``float`` for a number input);
        a ``ValueError`` falls back to ``default``.
    """
    if not st.session_state.get(_EXTERNAL) and name in st.session_state:
        return
    raw = st.query_params.get(name)
    value = default
    if raw is not None:
        try:
            value = convert(raw)
        except (ValueError, TypeError):
            value = default
    st.session_state[name] = value


def publish(values: Mapping[str, str | None]) -> None:
    """Write these parameters to the URL; ``None`` or ``""`` removes one.

    Other parameters are kept. Nothing is sent when the URL already holds the values.
    """
    url = _url()
    new = {k: v for k, v in url.items() if k not in values}
    new |= {k: str(v) for k, v in values.items() if v not in (None, "")}
    st.session_state[_PUBLISHED] = new
    if new != url:
        st.query_params.from_dict(new)
