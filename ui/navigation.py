"""The pages of the app, by section: (file, title label, icon, url path).

Kept apart from dashboard.py so that tests and benchmarks can list the pages too.
A page whose file does not exist yet is simply not listed.
"""

from __future__ import annotations

from pathlib import Path

APP_DIR = Path(__file__).resolve().parent.parent

SECTIONS: dict[str, list[tuple[str, str, str, str]]] = {
    "section_portfolio": [
        ("pages/overview.py", "overview", ":material/dashboard:", "overview"),
        ("pages/segmentation.py", "page_segmentation", ":material/grid_view:", "segmentation"),
        ("pages/migration.py", "page_migration", ":material/swap_vert:", "migration"),
        ("pages/trends.py", "page_trends", ":material/sentiment_satisfied:", "trends"),
    ],
    "section_planning": [
        ("pages/tuner.py", "page_tuner", ":material/tune:", "tuner"),
        ("pages/standards.py", "page_standards", ":material/support_agent:", "standards"),
    ],
    "section_data": [
        ("pages/data.py", "page_data", ":material/database:", "data"),
    ],
}


DEFAULT_PAGE = "overview"
#: Pages only an administrator sees (loading and deleting data).
ADMIN_PAGES = frozenset({"data"})


def url_of(url_path: str) -> str:
    """The path a page is reached at: the default page lives at the root (``/``)."""
    return "" if url_path == DEFAULT_PAGE else url_path


def available_pages(*, admin: bool = True) -> list[tuple[str, str, str, str, str]]:
    """(section, file, title label, icon, url path) of every page that exists (and that the
    user may open: the data pages are for administrators only)."""
    return [
        (section, path, title, icon, url)
        for section, pages in SECTIONS.items()
        for path, title, icon, url in pages
        if (APP_DIR / path).exists() and (admin or url not in ADMIN_PAGES)
    ]
