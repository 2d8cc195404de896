"""The book's skeleton: toc, notebooks, requirements and README commands stay consistent."""

import json
import pathlib
import re
import subprocess

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part["chapters"]]
    return files


def _resolve(stem):
    for ext in (".md", ".ipynb"):
        if (ROOT / f"{stem}{ext}").exists():
            return ROOT / f"{stem}{ext}"
    return None


def test_every_toc_entry_exists():
    missing = [f for f in _toc_files() if _resolve(f) is None]
    assert not missing, f"_toc.yml names files that do not exist: {missing}"


def test_every_chapter_notebook_is_in_the_toc():
    listed = {str(_resolve(f).relative_to(ROOT)) for f in _toc_files()}
    notebooks = {str(p.relative_to(ROOT)) for p in (ROOT / "chapters").glob("*.ipynb")}
    assert notebooks <= listed, f"notebooks missing from _toc.yml: {sorted(notebooks - listed)}"


@pytest.mark.parametrize("path", sorted((ROOT / "chapters").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_has_python3_kernel_and_stored_outputs(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    unexecuted = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert not unexecuted, f"code cells without stored outputs (run scripts/refresh_outputs.py): {unexecuted}"


def test_requirements_pin_every_dependency_exactly():
    lines = [ln.split("#")[0].strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()]
    lines = [ln for ln in lines if ln]
    assert "-e ." in lines, "requirements.txt must install the book's own package"
    loose = [ln for ln in lines if ln != "-e ." and not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][\w.]*", ln)]
    assert not loose, f"unpinned requirements: {loose}"


def test_ci_runs_the_readme_commands_verbatim():
    readme = (ROOT / "README.md").read_text()
    for tag, must in (("build", "jupyter-book build"), ("test", "pytest --nbval")):
        out = subprocess.run(
            ["bash", "-c", f"awk -v tag='<!-- ci:{tag} -->' '$0 == tag {{getline; getline; print; exit}}' README.md"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.strip()
        assert out.startswith("pip install -r requirements.txt && "), out
        assert must in out and out in readme
    assert "readme_cmd build" in (ROOT / ".ci" / "run").read_text()


def test_landing_page_links_every_page_of_the_toc():
    intro = (ROOT / "intro.md").read_text()
    linked = set(re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", intro))
    missing = [f for f in _toc_files()[1:] if f not in linked]
    assert not missing, f"intro.md does not link: {missing}"


@pytest.mark.parametrize("path", sorted((ROOT / "chapters").glob("*.ipynb")), ids=lambda p: p.name)
def test_chapter_installs_w2s_lib_on_colab_before_importing_it(path):
    """Colab opens the bare notebook: its first code cell installs the library from this repository."""
    repo = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    code = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    first = "".join(code[0]["source"])
    assert "google.colab" in first and f"git+{repo['url'].rstrip('/')}@{repo.get('branch', 'main')}" in first
    assert "remove-cell" in code[0].get("metadata", {}).get("tags", [])
    assert not any("w2s_lib" in line and "import" in line for line in first.splitlines()
                   if not line.lstrip().startswith("#") and "find_spec" not in line)
