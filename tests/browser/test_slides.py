"""Every slide of every built deck fits its reveal.js frame, measured in a real Chromium.

The decks are built by the kit's own build steps (slides only, no PDFs) into a
temporary folder, with the kit's local reveal.js (``node_modules/reveal.js``, from
``npm ci``) copied next to them, so nothing is loaded from the internet: any request
that is not a ``file:`` URL fails the test. Each slide is shown in turn through
reveal.js's API and its content height is compared with the frame's height.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coursekit import handouts

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MEASURE = """() => {
  const frame = Reveal.getConfig().height;
  const slides = Reveal.getSlides();
  return slides.map((slide, i) => {
    const idx = Reveal.getIndices(slide);
    Reveal.slide(idx.h, idx.v);
    const heading = slide.querySelector('h1, h2, h3');
    return {index: i, frame: frame, height: slide.scrollHeight,
            title: heading ? heading.textContent.replace('¶', '').trim() : '(no heading)'};
  });
}"""


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> list[Path]:
    if handouts.local_reveal() is None:
        pytest.fail("node_modules/reveal.js is missing: run `npm ci` (the .ci/run script does)")
    out = tmp_path_factory.mktemp("slides")
    steps = [s for s in handouts.build_steps(out, printer=None,
                                             reveal_prefix=str(handouts.local_reveal()))
             if s.label.startswith("slides ")]
    for step in steps:
        step.run()
    built = sorted((out / "slides").glob("*.slides.html"))
    assert len(built) == len(steps) > 0
    return built


def test_every_slide_fits_the_frame(decks, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    outside: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                  else (outside.append(route.request.url), route.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    too_tall, counted = [], 0
    try:
        for deck in decks:
            page.goto(deck.as_uri())
            page.wait_for_function("() => window.Reveal && Reveal.isReady()")
            for slide in page.evaluate(MEASURE):
                counted += 1
                assert slide["frame"] == handouts.SLIDE_HEIGHT
                if slide["height"] > slide["frame"]:
                    too_tall.append(f"{deck.name} slide {slide['index'] + 1} "
                                    f"({slide['title']}): {slide['height']} px")
    finally:
        context.close()
    assert outside == [], f"the decks load files from outside: {outside}"
    assert errors == [], errors
    assert counted > 100, f"only {counted} slides measured"
    assert too_tall == [], (f"slides taller than the {handouts.SLIDE_HEIGHT} px frame:\n"
                            + "\n".join(too_tall))


def test_slide_numbers_are_plain_and_tables_keep_their_borders(decks, browser):
    deck = next(d for d in decks if d.name.startswith("workshop-"))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(deck.as_uri())
        page.wait_for_function("() => window.Reveal && Reveal.isReady()")
        # a flat count: reveal.js's default ("h.v") reads "7 . 1" on a slide in a stack
        assert page.evaluate("() => Reveal.getConfig().slideNumber") == "c"
        numbers = []
        for n in (0, 1, 5):
            page.evaluate(f"() => Reveal.slide({n}, 0)")
            page.wait_for_timeout(50)
            numbers.append(page.locator(".slide-number").inner_text().strip())
        assert numbers == ["1", "2", "6"]  # never "7 . 1" or "1/40"
        borders = page.evaluate("""() => {
          const slide = [...Reveal.getSlides()].find(s => /Plan for today/.test(s.textContent));
          Reveal.slide(Reveal.getIndices(slide).h, 0);
          const rows = slide.querySelectorAll('table tbody tr');
          const cells = rows[rows.length - 1].querySelectorAll('td');
          return [...cells].map(td => getComputedStyle(td).borderBottomWidth);
        }""")
    finally:
        context.close()
    assert borders and all(float(b.removesuffix("px")) >= 1 for b in borders), borders
