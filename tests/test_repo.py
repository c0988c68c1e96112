"""Repository rules: the README's commands are what CI runs, sim/ stays free of Streamlit, pages exist."""
import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_command = [ln for ln in ci.splitlines() if "pytest" in ln and not ln.lstrip().startswith("#")]
    assert len(ci_command) == 1
    assert ci_command[0].strip() in readme


def test_requirements_are_pinned_and_torch_is_the_cpu_build():
    lines = [ln.strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][^ ]*", ln) for ln in lines), lines
    assert "torch==2.13.0" in lines


def test_importing_sim_does_not_import_streamlit():
    code = ("import sys, pkgutil, importlib, sim\n"
            "for m in pkgutil.walk_packages(sim.__path__, 'sim.'):\n"
            "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_streamlit_import_statement_in_sim():
    for path in (ROOT / "sim").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "streamlit" for a in node.names), path
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] != "streamlit", path


def test_every_navigation_entry_has_its_page_file():
    src = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    tree = ast.parse(src)
    pages = next(ast.literal_eval(n.value) for n in tree.body
                 if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    missing = [f for _, f, _, _ in pages if not (ROOT / "pages" / f).exists()]
    assert missing == []


def test_python_m_sim_demo_rewrites_every_demo_file_byte_for_byte(tmp_path):
    out = subprocess.run([sys.executable, "-m", "sim.demo", "--out", str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    written = sorted(Path(p).name for p in out.stdout.split())
    shipped = sorted(p.name for p in (ROOT / "data" / "demo").iterdir() if p.suffix in (".csv", ".json"))
    assert written == shipped
    for name in shipped:
        assert (tmp_path / name).read_bytes() == (ROOT / "data" / "demo" / name).read_bytes(), name


def _pins(path):
    return [ln.strip() for ln in path.read_text().splitlines()
            if ln.strip() and not ln.startswith("#") and not ln.startswith("--")]


def test_cloud_requirements_are_the_root_pins_with_the_cpu_torch():
    """cloud/requirements.txt (read by Community Cloud next to its entrypoint) = requirements.txt,
    torch from the CPU-only index."""
    root, cloud = _pins(ROOT / "requirements.txt"), _pins(ROOT / "cloud" / "requirements.txt")
    assert [ln.replace("torch==2.13.0+cpu", "torch==2.13.0") for ln in cloud] == root
    text = (ROOT / "cloud" / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text


def test_cloud_entrypoint_runs_the_app():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "cloud" / "streamlit_app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Regional innovation policy simulator"]
    assert not at.error, [e.value for e in at.error]  # e.g. a page link resolved against cloud/
