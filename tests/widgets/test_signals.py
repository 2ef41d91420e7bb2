"""Nothing typed is lost when the kernel is stopped: SIGTERM, SIGHUP, a normal shutdown.

A real kernel (jupyter_client) builds a reflection and the learner's typing reaches
it; the autosave pause (1.5 s) has not passed when the kernel is stopped. The text
must be in the journal afterwards. The control run removes the kit's handler first
and loses the text, so the test can fail.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from coursekit import config
from coursekit.journal import Journal

pytestmark = pytest.mark.slow

PROMPT = "01.regression.which-kind"
SETUP = """\
from coursekit.course import lesson as _lesson
from coursekit.widgets import Reflection as _Reflection
_w = _Reflection(_lesson("01").prompt("regression.which-kind"))
"""


def run_kernel(text: str, stop, *, without_handler: bool = False) -> int | None:
    """Start a kernel, type ``text`` into a reflection, stop it with ``stop(km)``."""
    from jupyter_client import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel(env={**os.environ, "COURSEKIT_DATA_DIR": str(config.data_root())})
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        code = SETUP
        if without_handler:
            code += ("import signal as _s\n"
                     "for _n in (_s.SIGTERM, _s.SIGHUP): _s.signal(_n, _s.SIG_DFL)\n")
        code += f"_w.type({text!r})\nassert _w._debounce.pending\n"
        reply = kc.execute_interactive(code, timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
        stop(km, kc)
        deadline = time.monotonic() + 20
        while km.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not km.is_alive()
        return km.provisioner.process.poll() if km.provisioner else None
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)
        km.cleanup_resources()


def latest() -> str | None:
    with Journal.open_default() as journal:
        entry = journal.latest(PROMPT)
    return entry.text if entry else None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_saves_what_was_typed_first(data_dir, signum):
    text = f"typed just before {signal.Signals(signum).name} ✓"
    code = run_kernel(text, lambda km, kc: km.signal_kernel(signum))
    assert latest() == text
    assert code == -signum  # the kernel still ends by that signal, as it would have


def test_a_normal_shutdown_saves_what_was_typed(data_dir):
    text = "typed just before a shutdown"
    run_kernel(text, lambda km, kc: km.request_shutdown())
    assert latest() == text


def test_without_the_handler_the_text_would_be_lost(data_dir):
    """The control: the default action ends the process before the pause is over."""
    run_kernel("lost on purpose", lambda km, kc: km.signal_kernel(signal.SIGTERM),
               without_handler=True)
    assert latest() is None
