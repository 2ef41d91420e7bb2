"""Learner work made inert (coursekit.grading.inert) and the Formgrader's policy (csp)."""

from __future__ import annotations

import nbformat
import pytest

from coursekit.grading.csp import policy, trusted_scripts
from coursekit.grading.inert import MakeInert, inert_html, inert_markdown, inert_output

from .corpus import PIXEL

ATTACKS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<iframe src=https://example.org></iframe>",
    "<form action=https://example.org><input name=a></form>",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)></svg>",
    '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_html_outputs_keep_nothing_that_runs(attack):
    clean = inert_html(attack).lower()
    for live in ("<script", "onerror", "onload", "onclick", "<iframe", "<form", "<input",
                 "javascript:", "<svg", "style="):
        assert live not in clean, (attack, clean)


@pytest.mark.parametrize("attack", [*ATTACKS, "&#60;img src=x onerror=alert(1)&#62;",
                                              "[x](javascript:alert(1))",
                                              "[x](&#106;avascript:alert(1))"])
def test_written_answers_keep_markdown_but_no_html(attack):
    text = inert_markdown(f"**Bold** claim. {attack}")
    assert text.startswith("**Bold** claim. ") and "<" not in text
    assert "javascript:" not in text.lower() and "&#" not in text.replace("&amp;#", "")
    assert inert_markdown(text) == text  # idempotent: feedback of an autograded notebook


def test_outputs_that_run_are_dropped_and_plain_ones_kept():
    out = inert_output({"output_type": "display_data", "metadata": {"isolated": True},
                        "data": {"application/javascript": "alert(1)",
                                 "image/svg+xml": "<svg onload=alert(1)/>",
                                 "text/html": "<b>kept</b><script>alert(1)</script>",
                                 "text/plain": "kept"}})
    assert out["data"] == {"text/html": "<b>kept</b>", "text/plain": "kept"}
    assert out["metadata"] == {}
    only = inert_output({"output_type": "display_data", "metadata": {},
                         "data": {"application/javascript": "alert(1)"}})
    assert list(only["data"]) == ["text/plain"] and "removed" in only["data"]["text/plain"]
    stream = {"output_type": "stream", "name": "stdout", "text": "<b>as text</b>"}
    assert inert_output(dict(stream)) == stream


@pytest.mark.parametrize("src", ["http://tracker.example/p.png?marker=1",
                                 "HTTPS://tracker.example/p.png", "//tracker.example/p.png",
                                 "  https://tracker.example/p.png", "p.png",
                                 "data:image/svg+xml,<svg onload=alert(1)>",
                                 "data:text/html,<script>alert(1)</script>"])
def test_output_images_fetch_nothing_from_another_host(src):
    out = inert_output({"output_type": "display_data", "metadata": {}, "data": {
        "text/html": f'<p>chart</p><img src="{src}" alt="chart"><img src="{PIXEL}" alt="dot">'}})
    html = out["data"]["text/html"]
    assert "tracker.example" not in html and "p.png" not in html and "svg" not in html
    assert "script" not in html
    assert '<img alt="chart">' in html  # the image's text stays for the marker
    assert f'<img src="{PIXEL}" alt="dot">' in html  # an inline image stays
    assert inert_output(out) == out  # idempotent


def test_links_keep_their_address_but_never_a_data_url():
    assert 'href="https://example.org"' in inert_html('<a href="https://example.org">x</a>')
    assert "data:" not in inert_html('<a href="data:text/html,hi">x</a>')


def test_make_inert_escapes_answers_cleans_locked_cells_and_drops_widget_state():
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"x": 1}}
    locked = nbformat.v4.new_markdown_cell("Press <kbd>Ctrl</kbd> <img src=x onerror=alert(1)>")
    locked.metadata["nbgrader"] = {"locked": True, "solution": False}
    answer = nbformat.v4.new_markdown_cell("<img src=x onerror=alert(1)> my words")
    answer.metadata["nbgrader"] = {"solution": True, "grade": True}
    raw = nbformat.v4.new_raw_cell("<script>alert(1)</script>")
    nb.cells = [locked, answer, raw]
    MakeInert()(nb, {})  # as a pipeline calls it
    assert "widgets" not in nb.metadata
    assert "<kbd>Ctrl</kbd>" in nb.cells[0].source and "onerror" not in nb.cells[0].source
    assert nb.cells[1].source == "&lt;img src=x onerror=alert(1)> my words"
    assert "<" not in nb.cells[2].source


PAGE = ("<html><head><script src='/static/a.js'></script><script>var id = 1;</script>"
        "<script type='text/x-mathjax-config'>x</script></head><body>"
        '<div class="container" id="notebook-container"><script>evil()</script>'
        '<div class="help">fake</div></div><div class="help">?</div>'
        "<script>nbgrader()</script></body></html>")


def test_the_policy_trusts_only_the_template_scripts_of_a_submission_page():
    assert trusted_scripts(PAGE, submission=True) == ["var id = 1;", "nbgrader()"]
    assert "evil()" in trusted_scripts(PAGE, submission=False)
    csp = policy(PAGE, submission=True)
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in csp and "frame-src 'none'" in csp
    # a page that is not the expected shape trusts no inline script at all
    assert trusted_scripts("<script>x()</script>", submission=True) == []


@pytest.mark.parametrize("image", [
    "![x](http://tracker.example/p.png)",
    "![y][r]\n\n[r]: http://tracker.example/p.png",
    "[![x](http://tracker.example/p.png)](https://example.org)",
    "![x](<http://tracker.example/p.png>)",
    "\\\\![x](http://tracker.example/p.png)",
    "![x](HTTPS://tracker.example/p.png)",
])
def test_a_locked_cell_the_learner_added_fetches_no_image(image):
    # a learner can add a markdown cell and mark it locked: it is shown as the check's own
    # text (cleaned, not escaped), so a markdown image in it was fetched by the feedback
    # page (which has no Content-Security-Policy) as the marker or learner opened it
    from nbconvert.filters.markdown import markdown2html_mistune

    assert "<img" in markdown2html_mistune(image)  # the attack is real without the step
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_markdown_cell(f"Read this {image}")
    cell.metadata["nbgrader"] = {"locked": True, "solution": False, "grade_id": "mine"}
    nb.cells = [cell]
    MakeInert()(nb, {})
    once = nb.cells[0].source
    assert "<img" not in markdown2html_mistune(once)
    assert once.startswith("Read this")  # the text stays for the marker
    MakeInert()(nb, {})
    assert nb.cells[0].source == once  # idempotent


@pytest.mark.parametrize("html", [
    '<img srcset="http://tracker.example/a.png 1x, http://tracker.example/b.png 2x">',
    '<picture><source srcset="http://tracker.example/a.png"><img alt="c"></picture>',
    '<div style="background:url(http://tracker.example/a.png)">x</div>',
    '<svg><image href="http://tracker.example/a.png"/></svg>',
    '<svg><use xlink:href="http://tracker.example/a.svg#x"/></svg>',
    '<img src="&#104;ttp://tracker.example/a.png">',
    '<img src="&#x68;&#x74;tp://tracker.example/a.png">',
    '<img src="data:image/svg+xml,&lt;svg xmlns=\'http://www.w3.org/2000/svg\'/&gt;">',
    '<img src="DATA:image/svg+xml;base64,PHN2Zz4=">',
    '<img src="data:image/png,x" lowsrc="http://tracker.example/a.png">',
    '<video poster="http://tracker.example/a.png"></video>',
    '<input type="image" src="http://tracker.example/a.png">',
    '<table background="http://tracker.example/a.png"><tr><td>x</td></tr></table>',
    '<a href="https://example.org" ping="http://tracker.example/p">x</a>',
    '<style>@import url(http://tracker.example/a.css)</style>',
    '<math><mglyph src="http://tracker.example/a.png"/></math>',
])
def test_no_output_route_fetches_from_another_host(html):
    # the routes an output can name a remote image or style by (attack on the rule that
    # only inline png, jpeg, gif and webp images stay)
    clean = inert_html(html)
    assert "tracker.example" not in clean, clean
    assert "svg" not in clean.lower() and "style" not in clean.lower(), clean
    assert inert_html(clean) == clean
