"""The HTML report in a real headless Chromium: it renders, logs nothing, filters, sorts.

Needs Debian's `chromium` and `chromium-driver` (scripts/test.sh installs them) and
selenium (a test extra). Without them the test skips, and fails under CI=true. A
screenshot of each report is kept under tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_hostile import HOSTILE

from driftcheck.report.build import Side, build_report
from driftcheck.snapshot.model import Distribution, Redacted

from support import small_snapshot

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = [p for p in CHROMIUM if not Path(p).exists()]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("selenium (pip install -e '.[test]')")
    if missing:
        reason = f"headless Chromium test needs {', '.join(missing)}; scripts/test.sh installs them"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM[0]
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,1600")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    os.environ.setdefault("SE_OFFLINE", "true")  # never let selenium fetch a driver
    driver = webdriver.Chrome(options=options, service=Service(CHROMIUM[1]))
    try:
        yield driver
    finally:
        driver.quit()


def _drift_page(tmp_path: Path) -> tuple[Path, int]:
    left = small_snapshot()
    dists = tuple(
        Distribution(f"pkg{i:02d}", f"pkg{i:02d}", f"1.{i}", "/site", f"p{i}.dist-info")
        for i in range(30)
    )
    left = replace(left, distributions=dists)
    right = replace(
        left,
        distributions=tuple(replace(d, version=d.version + ".1") for d in dists[:20]),
        environment={
            **left.environment,
            "LANG": "C.UTF-8",
            "HOSTILE": HOSTILE["script"] + HOSTILE["osc8"] + HOSTILE["bidi"],
            "SECRET_TOKEN": Redacted("name:token"),
        },
    )
    built = build_report(
        [Side(left, "a.json"), Side(right, "b.json" + HOSTILE["html-attr"])], "html"
    )
    path = tmp_path / "drift.html"
    path.write_text(built.text)
    return path, built.text.count('<tr data-severity="')


def _visible_rows(driver: Any, table: str) -> int:
    rows = f"document.querySelectorAll('#{table} tbody tr')"
    script = f"return Array.from({rows}).filter(r => !r.hidden).length;"
    return int(driver.execute_script(script))


def _shoot(driver: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    assert driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


def test_drift_report_renders_filters_and_sorts(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    page, findings = _drift_page(tmp_path)
    browser.get(page.as_uri())
    assert browser.title.startswith("driftcheck: a.json")
    assert _visible_rows(browser, "t-findings") == findings > 20
    count = browser.find_element(By.CSS_SELECTOR, '[data-table="t-findings"][data-role="count"]')
    assert count.text == f"{findings} of {findings} rows"  # the script ran

    text_filter = browser.find_element(
        By.CSS_SELECTOR, '[data-table="t-findings"][data-role="text"]'
    )
    text_filter.send_keys("pkg0")
    assert _visible_rows(browser, "t-findings") == 10  # pkg00 .. pkg09
    text_filter.clear()
    text_filter.send_keys("no such thing")
    assert _visible_rows(browser, "t-findings") == 0
    assert count.text == f"0 of {findings} rows"
    text_filter.clear()
    text_filter.send_keys(" ")  # an input event with an empty filter shows every row again
    assert _visible_rows(browser, "t-findings") == findings

    category = Select(browser.find_element(By.CSS_SELECTOR, '[data-role="category"]'))
    category.select_by_value("environment")
    shown = _visible_rows(browser, "t-findings")
    assert 0 < shown < findings
    cells = browser.find_elements(
        By.CSS_SELECTOR, "#t-findings tbody tr:not([hidden]) td:nth-child(2)"
    )
    assert {c.text for c in cells} == {"environment"}
    category.select_by_value("")
    severity = Select(browser.find_element(By.CSS_SELECTOR, '[data-role="severity"]'))
    severity.select_by_value("2")
    ranks = browser.execute_script(
        "return Array.from(document.querySelectorAll('#t-findings tbody tr'))"
        ".filter(r => !r.hidden).map(r => Number(r.dataset.severity));"
    )
    assert ranks and min(ranks) >= 2
    severity.select_by_value("")

    subject = browser.find_element(By.CSS_SELECTOR, "#t-findings th:nth-child(3) button")
    subject.click()
    first = [
        c.text for c in browser.find_elements(By.CSS_SELECTOR, "#t-findings tbody td:nth-child(3)")
    ]
    assert first == sorted(first, key=str.casefold)
    subject.click()
    again = [
        c.text for c in browser.find_elements(By.CSS_SELECTOR, "#t-findings tbody td:nth-child(3)")
    ]
    assert again == list(reversed(first))
    sev_header = browser.find_element(By.CSS_SELECTOR, "#t-findings th:nth-child(1)")
    assert subject.find_element(By.XPATH, "..").get_attribute("aria-sort") == "descending"
    assert sev_header.get_attribute("aria-sort") is None

    body = browser.find_element(By.TAG_NAME, "body").text
    assert "<script>alert(1)</script>" in body  # shown as text, never run
    assert "\\x1b]8;;" in body and "\\u202e" in body  # control characters made visible
    assert browser.find_elements(By.TAG_NAME, "img") == []
    _shoot(browser, "report-drift.png")
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []


def test_environment_report_renders(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    built = build_report([Side(small_snapshot(), "unit")], "html")
    page = tmp_path / "env.html"
    page.write_text(built.text)
    browser.get(page.as_uri())
    assert _visible_rows(browser, "t-distributions") == 1
    assert _visible_rows(browser, "t-os-packages") == 1
    box = browser.find_element(By.CSS_SELECTOR, '[data-table="t-environment"][data-role="text"]')
    box.send_keys("token")
    assert _visible_rows(browser, "t-environment") == 1
    redacted = browser.find_element(By.CSS_SELECTOR, "#t-environment .redacted")
    assert redacted.text == "<redacted by name:token>"
    _shoot(browser, "report-environment.png")
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
