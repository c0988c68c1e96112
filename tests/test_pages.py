"""AppTest renders every page of the navigation on the demo data without an exception."""
import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.nav import UNEXPECTED

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180  # seconds; AppTest's 3 s default is far too short for the analysis pages


def _pages():
    tree = ast.parse((ROOT / "streamlit_app.py").read_text(encoding="utf-8"))
    pages = next(ast.literal_eval(n.value) for n in tree.body
                 if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    return [f for _, f, _, _ in pages]


def run_page(file: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    at.run()
    if file != "home.py":
        at.switch_page(f"pages/{file}")
        at.run()
    return at


@pytest.mark.parametrize("file", _pages())
def test_page_renders_without_exception(file):
    at = run_page(file)
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if UNEXPECTED in e.value]
    assert at.title, f"{file} shows no title"


def test_landing_page_cites_both_papers_and_labels_the_demo():
    at = run_page("home.py")
    text = " ".join(m.value for m in at.markdown)
    assert "10.1038/s41598-026-36247-1" in text and "10.1057/s41599-025-05453-z" in text
    assert any("Synthetic demo data" in w.value for w in at.warning)


def test_every_page_starts_with_the_navigation_guard():
    """A deep link opened first in a fresh process runs the page file alone (Streamlit's pages/
    folder); ui.nav.ensure_navigation, the page's first statement, reroutes it through the entry
    script. The Coupling page lacked it: its deep link showed raw file names and no sidebar."""
    import ast

    root = Path(__file__).resolve().parent.parent / "pages"
    for path in sorted(root.glob("*.py")):
        body = [n for n in ast.parse(path.read_text(encoding="utf-8")).body
                if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]  # docstring
        calls = [n for n in body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
        first_call = calls[0].value.func if calls else None
        assert isinstance(first_call, ast.Name) and first_call.id == "ensure_navigation", path.name
        before = body[:body.index(calls[0])]
        assert all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in before), path.name
