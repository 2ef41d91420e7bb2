"""Nothing the kit builds or serves loads anything from another host.

A workshop room often has no network, and a privacy-minded course tells no third party
that a page was opened. The whole facilitator's kit is built (as ``make handouts``
does) and every page is checked for an ``http(s)://`` script, style sheet, font, image
or frame source; the support list's links to services are links, not loads. The
lessons are checked the same way. (Feedback pages: tests/grading/test_offline_feedback.py.)
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursekit import handouts
from coursekit.cli import main
from coursekit.errors import HandoutBuildError

from conftest import require_npm_package
from offline import remote_loads

ROOT = Path(__file__).resolve().parents[1]


def test_the_checker_finds_every_kind_of_remote_load(tmp_path):
    (tmp_path / "local.css").write_text("@import url(https://fonts.example.org/a.css);\n"
                                        "body { background: url(data:image/png;base64,AA); }")
    page = tmp_path / "page.html"
    page.write_text(
        '<link rel="stylesheet" href="local.css"><script src="https://cdn.example.org/x.js">'
        '</script><img src="//img.example.org/a.png"><style>p{background:url("http://e.org/b.png")}'
        '</style><script type="module">import m from "https://esm.example.org/m.js";</script>'
        '<a href="https://findahelpline.com">a service</a><img src="pic.png">',
        encoding="utf-8")
    found = remote_loads(page)
    assert found == ["https://cdn.example.org/x.js", "//img.example.org/a.png",
                     "http://e.org/b.png", "https://esm.example.org/m.js",
                     "local.css: https://fonts.example.org/a.css"]


@pytest.mark.slow
def test_every_built_handout_run_sheet_and_deck_loads_nothing_from_another_host(tmp_path):
    require_npm_package("reveal.js", "the slides' own copy of reveal.js", "dist/reveal.js")
    run = CliRunner().invoke(main, ["handouts", "build", "-o", str(tmp_path), "--no-pdf"])
    assert run.exit_code == 0, run.output
    pages = sorted(p for p in tmp_path.rglob("*.html") if "reveal.js" not in p.parts)
    kinds = {p.parent.name for p in pages}
    assert kinds == {"handouts", "runsheets", "slides"}, kinds
    assert len(pages) >= 25
    found = {str(p.relative_to(tmp_path)): remote_loads(p) for p in pages}
    assert {k: v for k, v in found.items() if v} == {}
    support = (tmp_path / "handouts" / "support.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="https://', support), "the support list keeps its links"


def test_lessons_load_nothing_from_another_host():
    found = []
    for path in sorted((ROOT / "lessons").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            text = "".join(cell["source"])
            found += [f"{path.name}: {m}" for m in re.findall(
                r"""(?:src|srcset|data|poster)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)"""
                r"""|!\[[^\]]*\]\(\s*((?:https?:)?//[^)\s]+)""", text)]
    assert found == []


def _kit_without_reveal(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "kit"
    for name in ("assets", "facilitator"):
        shutil.copytree(ROOT / name, root / name)
    monkeypatch.setenv("COURSEKIT_ROOT", str(root))
    monkeypatch.delenv(handouts.REVEAL_PREFIX_ENV, raising=False)
    return root


def test_without_the_kits_reveal_js_the_build_refuses_in_one_line(tmp_path, monkeypatch):
    root = _kit_without_reveal(tmp_path, monkeypatch)
    run = CliRunner().invoke(main, ["handouts", "build", "-o", str(tmp_path / "out"),
                                    "--no-pdf"])
    assert run.exit_code == 1
    message = run.output.strip()
    assert message.count("\n") == 0, message
    assert "npm ci" in message and str(root) in message and "reveal.js" in message
    assert not (tmp_path / "out" / "slides").exists()


@pytest.mark.parametrize("prefix", ["https://unpkg.com/reveal.js@4.0.2", "//cdn.example.org/r"])
def test_a_web_address_for_reveal_js_is_refused(tmp_path, prefix):
    with pytest.raises(HandoutBuildError, match="another host"):
        handouts._vendor_reveal(prefix, tmp_path / "slides")


def test_the_kits_jupyterlab_asks_no_other_host_for_news_or_updates():
    """JupyterLab would otherwise ask jupyter.org for news and PyPI for a newer version
    (the browser edition's site/overrides.json says the same)."""
    for path in (ROOT / "assets" / "jupyter" / "overrides.json", ROOT / "site" / "overrides.json"):
        settings = json.loads(path.read_text(encoding="utf-8"))
        notify = settings["@jupyterlab/apputils-extension:notification"]
        assert notify["checkForUpdates"] is False and notify["fetchNews"] == "false", path


def test_the_kits_jupyterlab_asks_pypi_nothing_when_the_extension_manager_is_opened(tmp_path):
    """JupyterLab's default (PyPI) extension manager asks pypi.org about every installed
    extension as soon as its panel is opened, with no warning (seen in an offline room
    as DNS lookups from the server, attack-21). `coursekit setup` makes it read-only."""
    from jupyterlab.labapp import LabApp
    from traitlets.config.loader import JSONFileConfigLoader

    from coursekit import privacy

    written = privacy.install(tmp_path)
    server = tmp_path / "etc" / "jupyter" / "jupyter_server_config.json"
    assert server in written
    config = JSONFileConfigLoader(server.name, str(server.parent)).load_config()
    app = LabApp(config=config)
    assert app.extension_manager == "readonly"


@pytest.mark.parametrize("prefix", ["{tmp}/empty", "{tmp}/nowhere", "https://unpkg.com/reveal.js@5"])
def test_a_wrong_reveal_prefix_is_refused_before_anything_is_written(tmp_path, prefix):
    """A wrong --reveal-prefix used to be found only at the first deck, after the
    handouts and run sheets were written: a half-built folder (attack-21)."""
    (tmp_path / "empty").mkdir()
    out = tmp_path / "out"
    given = prefix.format(tmp=tmp_path)
    run = CliRunner().invoke(main, ["handouts", "build", "-o", str(out), "--no-pdf",
                                    "--reveal-prefix", given])
    assert run.exit_code == 1, run.output
    message = run.output.strip().splitlines()[-1]
    assert message.startswith("Error: ") and "reveal" in message, run.output
    assert not out.exists() or not any(out.rglob("*")), sorted(out.rglob("*"))
