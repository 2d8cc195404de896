"""JupyterLab as a reader starts it (the README's local command), driven by headless Chromium.

Used by ``tests/test_jupyterlab.py`` and ``benchmarks/bench_kernel.py``. The README's
command (the line after ``<!-- ci:lab -->``) is run in a scratch copy of ``chapters/`` (so
JupyterLab's autosave never touches the repository), headless: no browser, no token, on
a free port of 127.0.0.1, with settings that render every cell (no windowing) and ask no
news server. Every request to another host is blocked and recorded.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHROMIUM = pathlib.Path("/usr/bin/chromium")
LAB_TIMEOUT_S = 120


def readme_lab_command() -> list[str]:
    """The README's local JupyterLab command (after its ``pip install ... &&``), as argv."""
    lines = (ROOT / "README.md").read_text().splitlines()
    i = lines.index("<!-- ci:lab -->")
    cmd = lines[i + 2].strip()
    cmd = cmd.split("&&")[-1].strip()
    argv = shlex.split(cmd)
    if argv[:2] != ["jupyter", "lab"]:
        raise AssertionError(f"the README's local command is not `jupyter lab ...`: {cmd!r}")
    return argv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab(extra_notebooks: dict | None = None):
    """Start the README's JupyterLab headless in a scratch copy of the book; yield its URL.

    ``extra_notebooks`` (file name -> notebook JSON) are written beside the chapters, for
    probes that are not part of the book (``benchmarks/bench_kernel.py``).
    """
    work = pathlib.Path(tempfile.mkdtemp(prefix="w2s-lab-"))
    shutil.copytree(ROOT / "chapters", work / "chapters",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name, nb in (extra_notebooks or {}).items():
        (work / "chapters" / name).write_text(json.dumps(nb))
    settings = work / "settings"
    for ext, values in {"notebook-extension/tracker": {"windowingMode": "none"},
                        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False}}.items():
        folder, name = ext.split("/")
        (settings / "@jupyterlab" / folder).mkdir(parents=True, exist_ok=True)
        (settings / "@jupyterlab" / folder / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
    port = _free_port()
    argv = readme_lab_command() + [
        "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1", "--ServerApp.token=",
        "--ServerApp.password=", f"--LabApp.user_settings_dir={settings}",
        "--ServerApp.port_retries=0"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        argv.append("--allow-root")  # CI runs as root; a reader does not need it
    log = open(work / "lab.log", "w")
    proc = subprocess.Popen(argv, cwd=work, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + LAB_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {(work / 'lab.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not answer within "
                                       f"{LAB_TIMEOUT_S} s: {(work / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


class LabPage:
    """One notebook open in JupyterLab, in a browser context that blocks other hosts."""

    def __init__(self, context, url: str, notebook: str):
        self.external: list[str] = []
        self.console_errors: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        # a workspace of its own, so no notebook opened before comes back in another tab
        self.page.goto(f"{url}/lab/workspaces/{notebook.replace('.', '-')}/tree/{notebook}?reset")
        self.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        self.wait_idle()

    def wait_idle(self, timeout_ms: int = 300_000):
        self.page.wait_for_function("document.body.innerText.includes('| Idle')", timeout=timeout_ms)

    def run_all(self):
        """Run every cell (menu Run > Run All Cells) and wait until the kernel is idle."""
        self.page.click("li.lm-MenuBar-item:has-text('Run')")
        self.page.click("li.lm-Menu-item:has-text('Run All Cells')")
        self.page.wait_for_function("document.body.innerText.includes('| Busy')", timeout=30_000)
        self.wait_done()

    def wait_done(self, timeout_ms: int = 300_000):
        """Wait until every code cell has run: none is queued or running (prompt ``[*]``) and
        each has an execution count, and the kernel is idle. (The status bar alone says
        "Idle" for a moment between two cells of a Run All.)"""
        self.page.wait_for_function("""() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent))
                && document.body.innerText.includes('| Idle');
        }""", timeout=timeout_ms)

    def live_figures(self) -> int:
        self.page.wait_for_selector(".w2s-live-explorable canvas", timeout=60_000)
        return self.page.locator(".w2s-live-explorable").count()

    def _cell(self, figure: int):
        """The cell of the ``figure``-th live figure of the notebook."""
        return self.page.locator(".jp-Cell", has=self.page.locator(".w2s-live-explorable")).nth(figure)

    def set_control(self, label: str, value, figure: int = 0) -> float:
        """Type ``value`` into the editable readout of the slider labelled ``label`` above the
        ``figure``-th live figure, and wait until that figure has applied the kernel's update.

        Returns the time in ms from the Enter key to the next animation frame after the
        figure applied the update (the control's change, the kernel's recomputation, the
        message back and Vega's redraw).
        """
        cell = self._cell(figure)
        slider = cell.locator(".widget-slider", has=self.page.locator(f"label:text-is('{label}')"))
        readout = slider.locator(".widget-readout")
        readout.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(str(value))
        cell.evaluate("""cell => {
            const host = cell.querySelector('.w2s-live-explorable').parentElement;
            window.__w2sRedrawn = new Promise(res => host.addEventListener('w2s-redrawn',
                () => requestAnimationFrame(() => res(performance.now())), {once: true}));
            window.__w2sT0 = performance.now();
        }""")
        self.page.keyboard.press("Enter")
        t1 = self.page.evaluate("() => window.__w2sRedrawn")
        return t1 - self.page.evaluate("() => window.__w2sT0")

    def view_data(self, dataset: str, figure: int = 0):
        """The named data set the ``figure``-th live figure draws now."""
        return self._cell(figure).evaluate("""(cell, name) => {
            const host = cell.querySelector('.w2s-live-explorable').parentElement;
            return JSON.parse(JSON.stringify(host.w2sView.data(name)));
        }""", dataset)


@contextlib.contextmanager
def browser_context():
    """A headless Chromium context (the Debian package) that blocks every non-local request."""
    from playwright.sync_api import sync_playwright

    external: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-dev-shm-usage"])
        context = browser.new_context(viewport={"width": 1400, "height": 1000})

        def route(r):
            u = r.request.url
            if u.startswith("http://127.0.0.1:") or u.startswith(("data:", "blob:")):
                r.continue_()
            else:
                external.append(u)
                r.abort()

        context.route("**/*", route)
        context.external = external
        try:
            yield context
        finally:
            context.close()
            browser.close()
