"""App tests run with TIERSCOPE_DEV=1, so that a bug surfaces as an exception in the test
instead of the friendly message users get (tests/app/test_shell.py checks that message)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO


@pytest.fixture(autouse=True)
def dev_mode(monkeypatch):
    monkeypatch.setenv("TIERSCOPE_DEV", "1")


def open_app(**query: str) -> AppTest:
    """A fresh session of the dashboard opened at a URL with these query parameters.

    Views are driven through the URL (as a shared link opens them): AppTest 1.67 does
    not rerun the main script of an st.navigation app after a widget change, so widget
    interactions are covered by the browser tests.
    """
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    at.query_params.update(query)
    return at.run()
