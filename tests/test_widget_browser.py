"""The chat widget as a person sees it: JupyterLab on 127.0.0.1, notebook 04 opened in headless
Chromium (Debian's chromium + chromium-driver, driven by selenium), all cells run, then a request
typed and sent. The model behind it is the stub OpenAI-compatible engine (tests/openai_stub.py),
reached through the same backend a vLLM or llama.cpp server would be, so the page shows real
agent turns. Skipped, saying why, only where no Chromium can be found (.ci/run installs it).

TASKAGENT_SAVE_SCREENSHOT=1 also writes docs/widget.png (the README shows it).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="no Chromium + ChromeDriver on this machine (apt-get install chromium chromium-driver)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def lab(tmp_path):
    """JupyterLab serving the repository, with notebook 04 prepared to chat with a stub engine."""
    import papermill as pm

    from openai_stub import StubEngine

    engine = StubEngine(idle_s=300)
    folder = ROOT / "outputs" / "browser_test"  # inside the repository: the set-up cell finds lib by walking up
    folder.mkdir(parents=True, exist_ok=True)
    notebook = folder / "04_chat_demo.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks/04_chat_demo.ipynb"), str(notebook), prepare_only=True,
                        parameters={"preset": "tiny", "base_url": engine.base_url, "served_model": "taskagent",
                                    "store_path": str(tmp_path / "tasks.db"), "today": "2026-11-26",
                                    "script": [], "expected_tasks": []}, progress_bar=False)
    port = _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    proc = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}", "--IdentityProvider.token=",
         "--ServerApp.password=", "--expose-app-in-browser", f"--ServerApp.root_dir={ROOT}",
         "--LabApp.news_url=", "--ServerApp.disable_check_xsrf=True",
         f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", f"--LabApp.user_settings_dir={tmp_path / 'settings'}"],
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "lab.log", "w"), cwd=ROOT)
    import httpx

    for _ in range(120):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start: " + (tmp_path / "lab.log").read_text()[-2000:])
    yield f"http://127.0.0.1:{port}/lab/tree/outputs/browser_test/04_chat_demo.ipynb", engine
    proc.terminate()
    proc.wait(20)
    engine.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1000", f"--user-data-dir={tmp_path / 'chrome'}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def _wait(driver, predicate, timeout=120, what="the page"):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.3).until(lambda d: predicate(d), message=f"waiting for {what}")


def test_a_person_chats_with_the_agent_in_jupyterlab(lab, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url, engine = lab
    browser.get(url)
    _wait(browser, lambda d: d.execute_script(  # the notebook panel, once its kernel is idle
        "const app = window.jupyterapp; if (!app) return false;"
        "const panel = [...app.shell.widgets('main')].find(w => w.sessionContext && w.context"
        " && w.context.path === 'outputs/browser_test/04_chat_demo.ipynb');"
        "const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;"
        "if (!kernel || kernel.status !== 'idle') return false;"
        "window.__taskagent_panel = panel; return true;"), 180, "the notebook's kernel")
    browser.execute_script("const app = window.jupyterapp; app.shell.activateById(window.__taskagent_panel.id);"
                           "app.commands.execute('notebook:run-all-cells');")
    for no in browser.find_elements(By.XPATH, "//button[normalize-space()='No']"):  # the Jupyter news prompt
        no.click()
    box = _wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "input[placeholder^='Ask me to add']"), 180,
                "the chat widget")
    send = browser.find_element(By.XPATH, "//button[normalize-space()='Send']")
    transcript = lambda: browser.execute_script(  # noqa: E731
        "return [...document.querySelectorAll('.ta-msg, .ta-note')].map(e => e.innerText).join('\\n');")
    table = lambda: browser.execute_script(  # noqa: E731
        "const t = document.querySelector('table.ta-tasks'); return t ? t.innerText : document.body.innerText;")

    # the date field reads ISO, like the transcript
    assert browser.execute_script("return [...document.querySelectorAll('input')].some(i => i.value === '2026-11-26');")

    # type, click Send: the agent's turn and the task table appear
    box.send_keys("add Buy oat milk due tomorrow")
    send.click()
    _wait(browser, lambda d: "Buy oat milk" in table() and "2026-11-27" in table(), 60, "the task in the table")
    assert "Task added: 'Buy oat milk' (due Friday 2026-11-27)" in transcript()
    due_lines = browser.execute_script(  # line boxes of the due date's text: 1 when it does not wrap
        "const r = document.createRange(); r.selectNodeContents(document.querySelector('td.ta-due'));"
        "return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size;")
    browser.save_screenshot(str(tmp_path / "after_add.png"))
    assert due_lines == 1, "the due date wraps"

    # Enter sends
    box.send_keys("list", Keys.ENTER)
    _wait(browser, lambda d: "1 open task(s)" in transcript(), 60, "the list reply")
    assert browser.find_elements(By.CSS_SELECTOR, ".ta-msg ul li")  # a list result is a list

    # leaving the box sends nothing; the button does
    box.send_keys("done buy oat milk")
    browser.find_element(By.CSS_SELECTOR, "table.ta-tasks").click()
    time.sleep(1.5)
    assert "Task completed" not in transcript() and len(engine.requests) == 2
    send.click()
    _wait(browser, lambda d: "Task completed" in transcript(), 60, "the completion")
    box.send_keys("add Call the dentist due next Friday", Keys.ENTER)
    _wait(browser, lambda d: "2026-12-04" in table(), 60, "the second task")
    if os.environ.get("TASKAGENT_SAVE_SCREENSHOT"):  # the README's picture: a plain exchange
        browser.execute_script("[...document.querySelectorAll('b')].find(b => b.innerText.startsWith('TaskAgent'))"
                               ".scrollIntoView();")
        browser.save_screenshot(str(ROOT / "docs" / "widget.png"))

    # undo takes back the newest action first (the dentist), then the completion
    undo = browser.find_element(By.XPATH, "//button[normalize-space()='Undo last action']")
    undo.click()
    _wait(browser, lambda d: "Call the dentist" not in table() and "Undone" in transcript(), 30, "the first undo")
    undo.click()
    _wait(browser, lambda d: "done" not in table().split("Buy oat milk", 1)[1].split("\n")[0], 30, "the reopened task")

    # one very long word wraps inside the transcript instead of stretching it
    box.send_keys("add " + "x" * 400, Keys.ENTER)
    _wait(browser, lambda d: "xxxxxxxx" in transcript(), 60, "the long title")
    scroller = browser.execute_script(
        "const m = document.querySelector('.ta-msg'); let e = m; while (e && getComputedStyle(e).overflowY !== 'auto'"
        " && getComputedStyle(e).overflow !== 'auto') e = e.parentElement; return e;")
    assert scroller is not None
    width, scroll_width = browser.execute_script("return [arguments[0].clientWidth, arguments[0].scrollWidth];", scroller)
    assert scroll_width <= width + 2, (scroll_width, width)
    browser.save_screenshot(str(tmp_path / "widget.png"))
    # the newest turn is in view: the transcript keeps itself scrolled to the end
    newest = browser.find_elements(By.CSS_SELECTOR, ".ta-msg")[-1]
    assert browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(), s = arguments[1].getBoundingClientRect();"
        "return r.bottom <= s.bottom + 2 && r.bottom >= s.top;", newest, scroller)

    # clearing asks first
    browser.find_element(By.XPATH, "//button[normalize-space()='Clear tasks']").click()
    # wait until the button can be clicked, not only until it is in the page (it is shown a moment later)
    confirm = _wait(browser, lambda d: next((b for b in d.find_elements(By.XPATH, "//button[normalize-space()='Yes, "
                                                                          "delete all']")
                                             if b.is_displayed() and b.is_enabled()), False), 30, "the confirmation")
    assert "Buy oat milk" in table()
    confirm.click()
    _wait(browser, lambda d: "No tasks yet" in d.find_element(By.TAG_NAME, "body").text, 30, "the empty table")
