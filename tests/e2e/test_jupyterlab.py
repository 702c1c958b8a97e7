"""The analyst in JupyterLab, in a real browser: open, run, explore, save — git stays clean.

A fresh clone of the project (the tracked files as they are now, committed in a new
repository) gets JupyterLab started the way the README says, ``make lab`` (as root too),
on a loopback port, with this checkout's virtual environment (``make setup`` installed the
save hook and the notebook viewer there) and a copy of the session's chain store (2026-09
and 2026-10 committed, as after a run: each notebook reads its upstream from it and
computes its own step; a notebook computing its upstream from an empty store is nbval's
02, ``tests/nbval_plugin.py``). Headless Chromium
(Debian's, driven by Playwright through its executable path; no browser is downloaded)
opens two notebooks — one from its paired ``.py`` file, which must open as a notebook —
runs all their cells, changes a widget value, checks that the widget's output changed,
saves, and ``git status`` in the clone must be clean.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.steps.conftest import shared_chain

from .conftest import CHROMIUM, FLAGS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
RUN_WAIT_MS = 600_000  # a notebook computes its own step on the small demo first


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def fresh_clone(target: Path) -> Path:
    """The project's tracked files as they are in this checkout, committed in a new repo."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "fresh clone")
    return target


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory, pytestconfig):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI: .ci/run installs Debian's chromium package.")
        pytest.skip("Chromium not found: install it with `apt-get install chromium`.")
    if not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to clone")
    base = tmp_path_factory.mktemp("lab")
    clone = fresh_clone(base / "clone")
    shutil.copy(shared_chain(pytestconfig).store, clone / "reports" / "compass.duckdb")
    short = Path("/tmp") / f"cjl-{secrets.token_hex(3)}"
    short.mkdir()
    parameters = base / "parameters.yaml"
    parameters.write_text(f"source: demo:small\nstore: {clone / 'reports' / 'compass.duckdb'}\n")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "COMPASS_PARAMETERS": str(parameters),
        "TMPDIR": str(short),  # short: the forecast's worker processes put a socket here
        "JUPYTER_CONFIG_DIR": str(base / "jupyter-config"),  # no user configuration
        "JUPYTERLAB_SETTINGS_DIR": str(base / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "lab-workspaces"),
        "JUPYTER_RUNTIME_DIR": str(short / "rt"),
    }
    arguments = (
        f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.token={token} "
        "--ServerApp.port_retries=0 --LabApp.expose_app_in_browser=True"
    )
    log = (base / "lab.log").open("w")
    server = subprocess.Popen(
        # `make lab` as the README says; `-o setup`: this checkout's venv is set up already
        [
            "make",
            "-C",
            str(clone),
            "-o",
            "setup",
            "lab",
            f"VENV={ROOT / '.venv'}",
            f"ARGS={arguments}",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5).read()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("JupyterLab did not start:\n" + (base / "lab.log").read_text()[-3000:])
            time.sleep(0.5)
    try:
        yield {"url": url, "token": token, "clone": clone, "log": base / "lab.log"}
    finally:
        _shut_down_kernels(url, token)
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(short, ignore_errors=True)


def _shut_down_kernels(url: str, token: str) -> None:
    try:
        kernels = json.loads(urllib.request.urlopen(f"{url}/api/kernels?token={token}").read())
        for kernel in kernels:
            request = urllib.request.Request(
                f"{url}/api/kernels/{kernel['id']}?token={token}", method="DELETE"
            )
            urllib.request.urlopen(request, timeout=30).read()
    except OSError:
        pass


@pytest.fixture(scope="module")
def page(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.goto(f"{lab['url']}/lab?token={lab['token']}")
        tab.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=120_000)
        tab.wait_for_selector(".jp-DirListing-item", timeout=120_000)
        yield tab
        browser.close()


def _open_and_run(page, path: str):
    """Open ``path`` with its default viewer, run all cells, wait for the last one."""
    page.evaluate(
        "async path => { await window.jupyterapp.commands.execute('docmanager:open', {path}); }",
        path,
    )
    panel = page.locator(".jp-NotebookPanel:visible")
    panel.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
    # the kernel is up when its status reads idle
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session &&"
        " w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle'; }",
        timeout=120_000,
    )
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    code = panel.locator(".jp-CodeCell")
    count = code.count()
    # every code cell numbered (none pending "[*]", none unrun "[ ]")
    page.wait_for_function(
        """n => {
            const prompts = [...document.querySelectorAll(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')];
            return prompts.length === n && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        arg=count,
        timeout=RUN_WAIT_MS,
        polling=1000,
    )
    errors = panel.locator('[data-mime-type="application/vnd.jupyter.error"]')
    assert errors.count() == 0, errors.first.inner_text()[:2000]
    assert "<Axes" not in panel.inner_text()  # a chart cell shows the chart, not its repr
    return panel


def _save_and_close(page) -> None:
    page.evaluate("async () => { await window.jupyterapp.commands.execute('docmanager:save'); }")
    page.wait_for_function(
        "() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-mod-dirty')"
        " && !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
        timeout=60_000,
    )
    page.evaluate("() => window.jupyterapp.shell.currentWidget.dispose()")


def _text(locator) -> str:
    return re.sub(r"\s+", " ", locator.inner_text())


def test_the_forecasting_notebook_opens_from_its_py_file_and_the_series_search_redraws(lab, page):
    panel = _open_and_run(page, "forecasting.py")  # the .py opens as a notebook
    widget = panel.locator(".jp-CodeCell").last
    count = widget.locator(".widget-html").first
    output = widget.locator(".widget-output")
    output.locator("table").first.wait_for(timeout=120_000)
    before_count, before_output = _text(count), _text(output)
    chosen = widget.locator(".widget-select select").input_value()
    location = "DC-South" if "DC-South" not in chosen else "DC-North"
    widget.locator(".widget-text input").first.fill(location)
    page.wait_for_function(
        "([el, old]) => el.innerText.replace(/\\s+/g, ' ') !== old",
        arg=[count.element_handle(), before_count],
        timeout=60_000,
    )
    assert re.search(r"[\d,]+ of [\d,]+ series match", _text(count))
    page.wait_for_function(
        "([el, old]) => el.innerText.replace(/\\s+/g, ' ') !== old && el.querySelector('table')",
        arg=[output.element_handle(), before_output],
        timeout=120_000,
    )
    assert location in widget.locator(".widget-select select").input_value()
    _save_and_close(page)


def test_the_demand_planning_editor_redraws_when_the_consensus_changes(lab, page):
    panel = _open_and_run(page, "02_demand_planning.ipynb")
    widget = panel.locator(".jp-CodeCell").last
    output = widget.locator(".widget-output").first
    output.locator("table").wait_for(timeout=120_000)
    before = _text(output)
    assert re.search(r"\d\.\d{3,}", before) is None  # no raw floats
    field = widget.locator(".widget-text input").first
    current = float(field.input_value())
    field.fill(str(int(current) + 1000))
    field.press("Enter")
    page.wait_for_function(
        "([el, old]) => el.innerText.replace(/\\s+/g, ' ') !== old",
        arg=[output.element_handle(), before],
        timeout=60_000,
    )
    assert "Adjusted consensus" in _text(output)
    _save_and_close(page)


def test_git_status_is_clean_after_opening_running_and_saving(lab, page):
    # the two tests above ran and saved both notebooks (a module's tests run in order);
    # saving a paired notebook writes both of its files
    log = lab["log"].read_text()
    for name in ("forecasting", "02_demand_planning"):
        assert f"Saving {name}.ipynb" in log and f"Saving {name}.py" in log, log[-3000:]
    status = _git(lab["clone"], "status", "--porcelain", "--untracked-files=all")
    assert status == "", status


def test_make_lab_was_started_as_root_when_root(lab):
    log = lab["log"].read_text()
    assert "jupyter lab" in log  # make echoes the command it ran
    if os.getuid() == 0:
        assert "--allow-root" in log
