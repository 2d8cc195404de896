"""Launch paths run the tested environment: Binder's Python is CI's, and the Colab install works.

* Binder: repo2docker's own detection (the ``jupyter-repo2docker`` package, no Docker) says
  which Python it would build; it must be the one ``.ci/run`` tests.
* Colab: build the package from this checkout, install it the way each chapter's first cell
  does (``w2s_lib[extras] @ <url>``, with the extras that cell names) into a fresh virtual
  environment of the Python Colab runs, then import every module the chapters import (read
  from the notebooks' code cells, so a new import in a chapter is covered automatically).

Outside CI a missing tool skips with the reason; under ``CI=true`` it fails.
"""

from __future__ import annotations

import ast
import glob
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(ROOT.glob("chapters/*.ipynb"))
COLAB_PYTHON = "3.12"  # the Python Colab runs (2026)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _missing(reason):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a launch-path test may not skip)")
    pytest.skip(reason)


def ci_python_version():
    """The Python ``.ci/run`` tests with (``python3.X`` named on its interpreter line)."""
    text = (ROOT / ".ci" / "run").read_text()
    found = re.findall(r"command -v python(3\.\d+)", text)
    assert found, ".ci/run must name the Python it tests (command -v python3.X)"
    return found[0]


# ---------------------------------------------------------------------------
# Binder
# ---------------------------------------------------------------------------

def test_binder_python_is_ci_python(monkeypatch):
    try:
        from repo2docker.app import Repo2Docker
    except ImportError:
        _missing("jupyter-repo2docker is not installed (pip install -r requirements.txt)")
    app = Repo2Docker()
    monkeypatch.chdir(ROOT)
    for BP in app.buildpacks:  # repo2docker's own order of detection (app.py)
        bp = BP(base_image=app.base_image)
        if bp.detect():
            break
    else:
        bp = app.default_buildpack(base_image=app.base_image)
    assert bp.python_version == ci_python_version(), (
        f"Binder ({type(bp).__name__}) would use Python {bp.python_version}, CI tests {ci_python_version()}")


# ---------------------------------------------------------------------------
# Colab
# ---------------------------------------------------------------------------

def colab_requirements():
    """The requirement each chapter's first code cell installs on Colab: {(name, extras)}."""
    reqs = set()
    for nb_path in CHAPTERS:
        cells = [c for c in json.loads(nb_path.read_text())["cells"] if c["cell_type"] == "code"]
        src = "".join(cells[0]["source"])
        m = re.search(r'%pip install[^"\n]*"(\w+)\[([^\]]*)\]\s*@\s*[^"]+"', src)
        assert m and "google.colab" in src, f"{nb_path.name}: the first code cell must be the Colab install cell"
        reqs.add((m.group(1), tuple(e.strip() for e in m.group(2).split(","))))
    return reqs


def chapter_imports():
    """Every ``import m`` / ``from m import names`` of the chapters' code cells: {module: {names}}."""
    out = {}
    for nb_path in CHAPTERS:
        for cell in json.loads(nb_path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            lines = [ln for ln in "".join(cell["source"]).splitlines() if not ln.lstrip().startswith(("%", "!"))]
            try:
                tree = ast.parse("\n".join(lines))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for a in node.names:
                        out.setdefault(a.name, set())
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    out.setdefault(node.module, set()).update(a.name for a in node.names if a.name != "*")
    out.pop("google.colab", None)  # exists only on Colab
    return out


def find_python(version):
    """A working ``python<version>``: on PATH, else under pyenv's versions (shims that fail are skipped)."""
    candidates = [shutil.which(f"python{version}")]
    roots = [os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv"), "/root/.pyenv"]
    for root in filter(None, roots):
        candidates += sorted(glob.glob(os.path.join(root, "versions", f"{version}*", "bin", f"python{version}")))
    for exe in filter(None, candidates):
        try:
            r = subprocess.run([exe, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if r.returncode == 0 and r.stdout.strip() == version:
            return exe
    return None


def _copy_checkout(dst):
    """The checkout's files (tracked and new, not ignored ones) copied to ``dst``."""
    try:
        files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                               cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        shutil.copytree(ROOT, dst, ignore=shutil.ignore_patterns(".git", "_build", "*.egg-info", "__pycache__"))
        return
    for f in filter(None, files):
        src = ROOT / f
        if src.is_file():
            (dst / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / f)


def test_chapter_imports_are_found():
    mods = chapter_imports()
    assert "w2s_lib" in mods and "numpy" in mods  # the parser sees the import cells


def test_colab_install_imports_every_chapter_module(tmp_path):
    py = find_python(COLAB_PYTHON)
    if py is None:
        _missing(f"no python{COLAB_PYTHON} interpreter found (PATH or pyenv) for the Colab install test")
    src = tmp_path / "src"
    src.mkdir()
    _copy_checkout(src)
    venv = tmp_path / "venv"
    subprocess.run([py, "-m", "venv", str(venv)], check=True)
    vpy = str(venv / "bin" / "python")

    def run(*args):
        r = subprocess.run([vpy, *args], capture_output=True, text=True)
        assert r.returncode == 0, f"{' '.join(args[:4])} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
        return r.stdout

    run("-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path / "dist"), str(src))
    (wheel,) = (tmp_path / "dist").glob("w2s_lib-*.whl")
    for name, extras in sorted(colab_requirements()):
        run("-m", "pip", "install", "--quiet", f"{name}[{','.join(extras)}] @ {wheel.as_uri()}")
    mods = chapter_imports()
    probe = (
        "import importlib, json, sys\n"
        f"mods = json.loads({json.dumps(json.dumps({m: sorted(n) for m, n in mods.items()}))})\n"
        "bad = []\n"
        "for m, names in mods.items():\n"
        "    try:\n"
        "        mod = importlib.import_module(m)\n"
        "    except Exception as e:\n"
        "        bad.append(f'{m}: {type(e).__name__}: {e}'); continue\n"
        "    for n in names:\n"
        "        if not hasattr(mod, n):\n"
        "            try: importlib.import_module(m + '.' + n)\n"
        "            except Exception: bad.append(f'{m}.{n} missing')\n"
        "print(sys.version.split()[0]); print('\\n'.join(bad))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    out = run("-c", probe)
    assert out.startswith(COLAB_PYTHON + ".")
