"""The HTML export in a real headless browser (Debian's chromium via playwright): render, sort, filter."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_export_data import ARTICLES, build_archive, by_id, expected_order

from pipeline import cli

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


def _chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    exe = _chromium()
    from playwright.sync_api import sync_playwright

    d = tmp_path_factory.mktemp("browser")
    build_archive(d)
    html = d / "articles.html"
    assert cli.main(["export", "--archive", str(d), "--format", "html", "-o", str(html)]) == 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=ARGS, headless=True)
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 900})
            requests: list[str] = []
            pg.on("request", lambda r: requests.append(r.url))
            errors: list[str] = []
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto(html.as_uri())
            pg.requests, pg.errors, pg.shots = requests, errors, d  # type: ignore[attr-defined]
            yield pg
        finally:
            browser.close()


def visible_titles(pg: Any) -> list[str]:
    return pg.eval_on_selector_all(
        "#articles tbody tr:not([hidden]) td:nth-child(2) a", "els => els.map(e => e.textContent)")


def test_the_page_renders_without_fetching_anything(page: Any) -> None:
    assert page.title().startswith("Krefeld partnership articles")
    assert visible_titles(page) == [by_id(i)["title"] for i in expected_order()]
    assert page.requests == [page.url], "a self-contained page loads nothing but itself"
    assert page.errors == []
    captions = page.inner_text("#articles tbody")
    assert "Burg Linn bei Nacht." in captions and "Foto: Stadt Krefeld, Presse und Kommunikation" in captions


def test_clicking_a_header_sorts_the_rows(page: Any) -> None:
    page.click("#articles thead th:nth-child(2)")  # Title, ascending, German collation
    asc = visible_titles(page)
    assert asc == ["Abschied aus Uljanowsk", "Charlotte Sister Cities zu Gast",
                   "Krefeld und Dünkirchen feiern 50-jährige Freundschaft",
                   "Krefeld und Venlo feiern 60 Jahre Städtepartnerschaft auf Burg Linn",
                   "Ökumenischer Besuch aus Leicester", "Übersicht Städtepartnerschaften"]
    page.click("#articles thead th:nth-child(2)")
    assert visible_titles(page) == asc[::-1]
    # Published, oldest first, the undated row last; the sort is stable: 2 and 6 keep the title order
    page.click("#articles thead th:nth-child(1)")
    assert visible_titles(page) == [by_id(i)["title"] for i in (5, 3, 1, 2, 6, 4)]
    assert page.get_attribute("#articles thead th:nth-child(1)", "aria-sort") == "ascending"
    page.focus("#articles thead th:nth-child(2)")  # the keyboard sorts too
    page.keyboard.press("Enter")
    assert visible_titles(page) == asc


def test_typing_in_the_filter_hides_rows(page: Any) -> None:
    page.fill("#filter", "venlo")
    assert sorted(visible_titles(page)) == sorted(by_id(i)["title"] for i in (1, 3, 4))
    assert page.inner_text("#count") == f"3 of {len(ARTICLES)}"
    page.fill("#filter", "dunkirchen meyer")  # umlaut-free typing still finds Dünkirchen
    assert visible_titles(page) == [by_id(2)["title"]]
    page.fill("#filter", "")
    assert len(visible_titles(page)) == len(ARTICLES)


def test_screenshot(page: Any) -> None:
    page.fill("#filter", "")
    shot: Path = page.shots / "articles.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("EXPORT_SHOT"):  # keep a copy to look at
        shutil.copy(shot, os.environ["EXPORT_SHOT"])
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 5000


def test_a_missing_chromium_fails_under_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os.path, "exists", lambda p: False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="chromium"):
        _chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        _chromium()
