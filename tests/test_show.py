"""`zhpolicy show`: the HTML page of one report, checked as text and in a real headless Chromium."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import ShowError
from pipeline.query import connect
from pipeline.show import HIGHLIGHTED, Highlight, ReportView, find_document, load_report, render_page, render_text
from tests.conftest import REPORTS

CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None)
CHROMEDRIVER = "/usr/bin/chromedriver"


def _spans(spec):
    return [Highlight(f"{table}-{i}", table, start, end, "", "") for i, (table, start, end) in enumerate(spec)]


def _fragments(page: str) -> dict[str, str]:
    """data-row -> the text of its fragments, read with the standard library's HTML parser."""
    from html.parser import HTMLParser

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__()
            self.open: list[str | None] = []
            self.text: dict[str, str] = defaultdict(str)

        def handle_starttag(self, tag, attrs):
            if tag == "mark":
                self.open.append(dict(attrs).get("data-row"))

        def handle_endtag(self, tag):
            if tag == "mark":
                self.open.pop()

        def handle_data(self, data):
            for row in self.open:
                if row:
                    self.text[row] += data

    parser = Collect()
    parser.feed(page)
    assert parser.open == []  # every mark closed, in order
    return dict(parser.text)


@pytest.mark.parametrize(
    "spec",
    [
        [("sector_tags", 0, 10), ("targets", 2, 5)],  # nested
        [("projects", 0, 6), ("entities", 3, 9)],  # crossing
        [("targets", 2, 5), ("projects", 2, 5), ("sector_tags", 2, 5)],  # the same span three times
        [("sector_tags", 0, 12), ("projects", 1, 8), ("entities", 4, 11), ("targets", 6, 7), ("targets", 9, 9)],
    ],
)
def test_overlapping_spans_nest_and_keep_their_text(spec):
    text = "福建<省>&一二三四五六七八九十"
    spans = _spans(spec)
    fragments = _fragments(render_text(text, spans))
    for h in spans:
        assert fragments.get(h.row_id, "") == text[h.start : h.end]


def test_report_text_is_escaped():
    text = '<script>alert("x")</script>&<img src=x onerror=alert(1)>'
    view = ReportView(
        document={
            "doc_id": "0123456789abcdef",
            "source": "<b>bad</b>.txt",
            "region": "<i>",
            "year": 2024,
            "title": "</title><script>",
            "level": None,
            "delivered_on": None,
            "speaker": None,
            "text": text,
        },
        sections=(),
        sentences=(),
        rows={"targets": (), "projects": (), "entities": (), "sector_tags": ()},
    )
    page = render_page(view)
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert" in page


def test_page_is_self_contained(outputs, tmp_path):
    path = tmp_path / "page.html"
    assert main(["show", "fujian-2024.md", "--outputs", str(outputs), "--html", str(path)]) == 0
    page = path.read_text(encoding="utf-8")
    for external in ("<script", "<link", "src=", "@import", "url(", "@font-face"):
        assert external not in page
    assert 'href="#' in page and 'href="http' not in page


def test_every_row_is_highlighted_with_its_text(outputs):
    con = connect(outputs)
    doc_id = find_document(con, "national-2024.md")
    view = load_report(con, doc_id)
    fragments = _fragments(render_page(view))
    text = view.document["text"]
    for table in HIGHLIGHTED:
        assert view.rows[table], table
        for i, row in enumerate(view.rows[table]):
            assert fragments[f"{table}-{i}"] == text[row["start"] : row["end"]] == row["text"]


def test_report_is_found_by_doc_id_source_file_and_path_end(outputs, tmp_path):
    con = connect(outputs)
    doc_id, source = con.execute("SELECT doc_id, source FROM documents WHERE region = '福建省'").fetchone()
    copy = tmp_path / "renamed.md"
    shutil.copy(REPORTS / "fujian-2024.md", copy)
    for report in (doc_id, source, str(REPORTS / "fujian-2024.md"), str(copy), "fujian-2024.md"):
        assert find_document(con, report) == doc_id, report
    with pytest.raises(ShowError):
        find_document(con, "nowhere-2024.md")


def test_a_path_end_shared_by_several_sources_is_refused(outputs, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    copy = tmp_path / "out"
    shutil.copytree(outputs, copy)
    for i, path in enumerate(sorted((copy / "documents").rglob("*.parquet"))):
        data = pq.read_table(path, schema=pq.read_schema(path))
        index = data.schema.get_field_index("source")
        sources = pa.array([f"folder-{i}-{j}/2024.md" for j in range(data.num_rows)])
        pq.write_table(data.set_column(index, data.schema.field(index), sources), path)
    with pytest.raises(ShowError, match="names 3 documents"):
        find_document(connect(copy), "2024.md")


def test_cli_show_unknown_report(outputs, tmp_path, capsys):
    assert main(["show", "nowhere.md", "--outputs", str(outputs), "--html", str(tmp_path / "x.html")]) == 2
    assert "not a doc_id" in capsys.readouterr().err


# ----------------------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("no Chromium binary (/usr/bin/chromium): `apt-get install chromium chromium-driver` (.ci/run does)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is a dev extra: make test installs it")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # The network is closed: without these Chromium waits on connections it will never get.
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    # The Debian chromedriver, so Selenium Manager never looks for (or downloads) a driver.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_page_in_headless_chromium(browser, outputs, tmp_path):
    page = tmp_path / "fujian.html"
    assert main(["show", "fujian-2024.md", "--outputs", str(outputs), "--html", str(page)]) == 0
    browser.get(page.as_uri())
    rendered = browser.execute_script(
        """
        const rows = {};
        for (const mark of document.querySelectorAll('mark[data-table][data-row]')) {
            const row = rows[mark.dataset.row] ??= {table: mark.dataset.table, text: '', first: 0};
            row.text += mark.textContent;  // nested marks add their text to every mark around them
            if (mark.id === mark.dataset.row) row.first += 1;
        }
        return rows;
        """
    )
    con = connect(outputs)
    doc_id = find_document(con, "fujian-2024.md")
    view = load_report(con, doc_id)
    text = view.document["text"]
    for table in HIGHLIGHTED:
        rows = {k: v for k, v in rendered.items() if v["table"] == table}
        assert len(rows) == len(view.rows[table]) > 0, table
        for i, row in enumerate(view.rows[table]):
            seen = rows[f"{table}-{i}"]
            assert seen["first"] == 1
            assert seen["text"] == text[row["start"] : row["end"]]
    # The side table links to the first fragment of each target; the browser resolves every link.
    links = browser.execute_script(
        "return [...document.querySelectorAll('table.targets a')].map(a => document.getElementById(a.hash.slice(1)) !== null)"
    )
    assert len(links) == len(view.rows["targets"]) and all(links)
    bars = browser.execute_script("return document.querySelectorAll('.profile .bar').length")
    assert bars > 0
    shot = tmp_path / "fujian.png"
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
