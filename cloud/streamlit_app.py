"""Entry point for Streamlit Community Cloud: ``cloud/streamlit_app.py``.

Community Cloud installs the dependency file next to the entrypoint before the one at the root of
the repository (its documentation: "App dependencies", "File organization"), so this folder's
``requirements.txt`` -- the root pins with the CPU-only wheel of torch -- is used there, while the
two local commands of the README keep using the root files. This file only runs the real entry
point, ``streamlit_app.py`` at the root (the working directory on Community Cloud).
"""
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
runpy.run_path(str(ROOT / "streamlit_app.py"), run_name="__main__")
