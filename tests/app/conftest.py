"""App tests run with TIERSCOPE_DEV=1, so that a bug surfaces as an exception in the test
instead of the friendly message users get (tests/app/test_shell.py checks that message)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def dev_mode(monkeypatch):
    monkeypatch.setenv("TIERSCOPE_DEV", "1")
