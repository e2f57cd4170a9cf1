"""Start the dashboard: ``python -m ui.serve [streamlit options]``.

The same as ``streamlit run dashboard.py``, with one difference: Streamlit is told up
front that the app routes with ``st.navigation``. Otherwise, until the first session has
run dashboard.py, Streamlit treats ``pages/`` as a legacy pages folder, and the first
visitor of a deep link (``/data``) gets the page without the app around it (ui/context.py
mends that case too, but the browser then flashes "page not found").
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def main(argv: list[str]) -> int:
    """Run Streamlit on dashboard.py with ``argv`` as extra options."""
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(DASHBOARD), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
