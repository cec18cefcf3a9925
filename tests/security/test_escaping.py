"""Source text is data everywhere it is shown: the HTML report, the Markdown report and the
console (Rich markup) never interpret what a Bizstim user typed."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.security.conftest import IMG, SCRIPT, SVG, Migrated

# What the report's own markup uses; anything else would have come from the source.
REPORT_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "div", "span",
    "b", "i", "em", "strong", "p", "a", "nav", "main", "section", "table", "thead", "tbody", "tr",
    "th", "td", "ul", "ol", "li", "code", "pre", "details", "summary", "small", "br",
    "svg", "g", "rect", "line", "text", "path", "circle", "polyline",
}  # fmt: skip


class Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def page(migrated: Migrated) -> Markup:
    parser = Markup()
    parser.feed((migrated.work / "report" / "index.html").read_text())
    return parser


def test_payloads_reached_the_report_as_text(page: Markup) -> None:
    text = "".join(page.text)
    # the quarantine reason quotes the bad e-mail, the owner table names the Bizstim user,
    # the custom-field reason names the field: all three payloads are shown, as text
    assert SCRIPT in text and IMG in text and SVG in text


def test_no_markup_from_the_source_in_the_html_report(page: Markup) -> None:
    assert "script" not in page.tags and "img" not in page.tags
    assert set(page.tags) <= REPORT_TAGS, set(page.tags) - REPORT_TAGS
    handlers = [name for name, _ in page.attributes if name.lower().startswith("on")]
    assert handlers == []
    assert not any((v or "").lower().startswith("javascript:") for _, v in page.attributes)


def test_markdown_report_shows_source_html_as_entities(migrated: Migrated) -> None:
    markdown = (migrated.work / "report" / "report.md").read_text()
    assert "&lt;script&gt;alert('bizmig')&lt;/script&gt;" in markdown
    for raw in (SCRIPT, IMG, SVG, "<img", "<svg", "<script"):
        assert raw not in markdown


def test_rich_markup_in_source_text_is_printed_verbatim(migrated: Migrated) -> None:
    seed = migrated.work / "project" / "seeds" / "custom_field_map.csv"
    run = migrated.bizmig("map", "propose", "--seed-file", str(seed))
    assert run.returncode == 0, run.stderr[-2000:]
    output = " ".join(run.stdout.split())
    assert f"Note {SVG} [/] [bold]" in output  # Rich would have eaten or choked on "[/]"
