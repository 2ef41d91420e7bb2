"""Property tests: any text round-trips exactly; the HTML export never carries markup."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coursekit.journal import Journal

SPECIAL = [
    "",
    "x" * (1024 * 1024),
    "🙂👩🏽‍💻🏳️‍🌈 and a sparkle ✨",
    "אני כותבת מימין לשמאל, and then English",
    "مرحبا بالعالم — RTL with a dash",
    "\x00\x01\x07\x1b[31m\x7f\t\r\n\u200f\u202e reversed",
    "<script>alert('boom')</script><img src=x onerror=alert(1)>&amp;&lt;",
    "line one\r\nline two\rline three\n\n",
    "   leading and trailing spaces   ",
]

texts = st.one_of(st.sampled_from(SPECIAL), st.text(), st.text(
    alphabet=st.characters(codec="utf-8"), max_size=2000))


def fresh(tmp_path_factory) -> Journal:
    return Journal(tmp_path_factory.mktemp("rt") / "journal.db")


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=texts)
def test_any_text_round_trips_exactly(tmp_path_factory, text):
    j = fresh(tmp_path_factory)
    saved = j.save("01.p", text, lesson="01", prompt="P")
    assert saved.text == text
    j.close()
    again = Journal(j.path)
    assert again.latest("01.p").text == text
    assert again.history("01.p")[0].text == text
    assert text in again.export_markdown()


class Answers(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.answers: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in = ("class", "answer") in attrs
        if self._in:
            self.answers.append("")

    def handle_endtag(self, tag):
        self._in = False

    def handle_data(self, data):
        if self._in:
            self.answers[-1] += data


# HTML cannot carry C0 controls: the export writes them as character references,
# which an HTML parser (like a browser) drops or keeps as the HTML standard says
# (html.unescape follows it), and shows NUL as U+FFFD.
_DROPPED = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
TEMPLATE_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "h1", "p",
                 "section", "h2", "h3", "div", "ul", "li"}


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=texts, prompt=st.one_of(st.text(max_size=200), st.just("<script>x</script>")))
def test_html_export_escapes_everything(tmp_path_factory, text, prompt):
    j = fresh(tmp_path_factory)
    j.save("01.p", text, lesson="01", prompt=prompt)
    page = j.export_html()
    parser = Answers()
    parser.feed(page)
    parser.close()
    assert set(parser.tags) <= TEMPLATE_TAGS  # nothing the learner wrote became a tag
    assert parser.tags.count("div") == 1
    seen = _DROPPED.sub(lambda m: html.unescape(f"&#x{ord(m.group()):02x};"), text)
    assert parser.answers == [seen.replace("\x00", "\ufffd")]
