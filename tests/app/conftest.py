"""App tests run with TIERSCOPE_DEV=1, so that a bug surfaces as an exception in the test
instead of the friendly message users get (tests/app/test_shell.py checks that message)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO


@pytest.fixture(autouse=True)
def dev_mode(monkeypatch):
    monkeypatch.setenv("TIERSCOPE_DEV", "1")
    monkeypatch.setenv("TIERSCOPE_EXPORT_WARMUP", "0")  # no export browser per app test


def open_app(**query: str) -> AppTest:
    """A fresh session of the dashboard opened at a URL with these query parameters.

    Views are driven through the URL (as a shared link opens them): AppTest 1.67 does
    not rerun the main script of an st.navigation app after a widget change, so widget
    interactions are covered by the browser tests.
    """
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    at.query_params.update(query)
    return at.run()


@pytest.fixture
def deferred(monkeypatch) -> dict:
    """The downloads a page made on click (a callable as a download button's data), by file id.

    The test runtime lives only while a script runs; keeping each callable as Streamlit
    registers it lets a test click the button afterwards (:func:`download`).
    """
    from streamlit.runtime.media_file_manager import MediaFileManager

    seen: dict[str, tuple] = {}
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)
        seen[file_id] = (data_callable, file_name)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return seen


def download(at: AppTest, key: str, deferred: dict) -> tuple[bytes, str]:
    """What the download button ``key`` hands over when clicked: its bytes and file name.

    Every export button makes its file on click; here it is made the way Streamlit makes it
    for the browser (``deferred`` is the fixture of that name).
    """
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith(f"-{key}")]
    make, name = deferred[button.proto.deferred_file_id]
    data = make()
    return (data.encode() if isinstance(data, str) else data), name


def download_keys(at: AppTest) -> list[str]:
    """The keys of the page's download buttons, in page order."""
    return [b.proto.id.split("-", 2)[-1] for b in at.get("download_button")]
