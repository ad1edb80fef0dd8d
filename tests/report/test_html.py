from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from report_samples import META, make, minimal_results, realistic_results

from oneroster_conformance.report.gate import decide
from oneroster_conformance.report.html import render_html, scope_matrix, write_html
from oneroster_conformance.spec.requirements import catalogue


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for attr in ("src", "href"):
            if tag in ("link", "script", "img", "iframe", "source", "video", "audio") and a.get(attr):
                self.refs.append((tag, a[attr]))


def render(results, **kw):
    return render_html(results, META, decide(results, **kw), catalogue())


def test_report_is_self_contained(tmp_path):
    results = realistic_results()
    p = write_html(results, tmp_path / "report.html", META, decide(results), catalogue())
    html = p.read_text()
    parser = Assets()
    parser.feed(html)
    assert parser.refs == []
    assert "<style>" in html and "@media print" in html
    assert not re.search(r"url\(\s*['\"]?https?:", html)
    assert "@import" not in html


def test_certificate_summary_and_sections():
    results = realistic_results()
    html = render(results)
    assert "NOT CONFORMANT" in html and "sis.example.org/ims/oneroster/rostering/v1p2" in html
    assert "11 June 2024" in html and "catalogue 1.0.0" in html and "redacted" in html
    order = [html.index(f'id="area-{a}"') for a in ("transport", "auth", "scopes", "discovery", "operations",
                                                    "errors", "pagination", "filter", "sort", "fields", "data")]
    assert order == sorted(order)
    assert "NOT NORMATIVE section" in html
    consequence = catalogue()["data/references-resolve"].consequence  # the errored finding's
    assert consequence and escape(consequence) in html
    assert "#/properties/users/items/properties/roles/items/properties/roleType/enum" in html
    assert "UCA 9.0" not in html.split('id="area-sort"')[0]
    assert "<details>" in html and "curl -sS -H &#39;Authorization: Bearer ***MASKED***&#39;" in html
    assert "expected failure" in html and "stale expectation" in html
    assert "https://tracker.example.org/SIS-4411" in html and "https://tracker.example.org/SIS-4102" in html


def test_conformant_report():
    html = render([make("transport/tls-required", "pass")])
    assert ">CONFORMANT<" in html and "NOT CONFORMANT" not in html


def test_hostile_text_is_escaped():
    evil = '<script>alert("pwned")</script>'
    rs = minimal_results() + [make("errors/status-info-body", "fail", "getUser", message=evil, actual=evil,
                                   params={"q": evil})]
    rs[1].evidence[0].body_excerpt = evil
    html = render(rs)
    assert evil not in html
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html
    assert html.count("<script") == 0  # the report needs no script to read (expand-all is an onclick)


def test_scope_matrix():
    results = realistic_results()
    m = scope_matrix(results)
    assert m["scopes"] == ["roster-core.readonly", "roster.readonly", "roster-demographics.readonly"]
    assert len(m["rows"]) == 41
    demo = next(r for r in m["rows"] if r["operation"] == "getAllDemographics")
    assert [c["outcome"] for c in demo["cells"]] == ["fail", "pass", "pass"]
    assert [c["label"] for c in demo["cells"]] == ["not refused", "refused", "granted"]
    html = render(results)
    assert "Operations × scopes" in html and 'class="matrix"' in html
    assert html.index('class="matrix"') > html.index('id="area-scopes"')
    assert "not refused" in html


def test_no_scope_results_no_matrix():
    assert scope_matrix([make("transport/tls-required", "pass")]) is None
    assert 'class="matrix"' not in render([make("transport/tls-required", "pass")])


def test_renders_without_catalogue_and_without_meta():
    rs = minimal_results()
    html = render_html(rs, {}, decide(rs), None)
    assert "built-in reference provider" in html and "report generated" in html


def test_observations_and_not_applicable_reasons_are_listed():
    html = render(minimal_results())
    assert "No dateLastModified spread in the data." in html and "Reading seen: UCA 9.0 collation" in html
