"""Keyboard-only driving of the kit's widgets, for any edition (JupyterLab or the site).

Only the page and the kit's own classes are used (no JupyterLab API), so the browser
edition's tests can run the same walk: :class:`Keys` presses only Tab, Shift+Tab,
the arrow keys, Enter, Space and Escape, and after each press reports where focus is
(:func:`focused`), so a test asserts every step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALLOWED = {"Tab", "Shift+Tab", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Enter",
           "Space", "Escape"}

_FOCUSED = """() => {
  const a = document.activeElement;
  if (!a || a === document.body) return {tag: 'BODY', kit: null, text: '', inKit: false};
  const kit = a.closest('.coursekit');
  let root = kit;
  while (root && root.parentElement && root.parentElement.closest('.coursekit'))
    root = root.parentElement.closest('.coursekit');
  const kind = root ? Array.from(root.classList).find(c => c.startsWith('coursekit-')) : null;
  const group = a.closest('[role=radiogroup]');
  const checked = group ? group.querySelector('input:checked') : null;
  return {tag: a.tagName, type: a.type || '', inKit: !!kit, kind,
          text: (a.tagName === 'SELECT' ? (a.labels[0] || {}).textContent || ''
                 : (a.textContent || '')).trim().slice(0, 80),
          value: a.value === undefined ? null : String(a.value),
          expanded: a.getAttribute('aria-expanded'),
          group: group ? group.getAttribute('aria-labelledby') : null,
          checked: checked ? checked.parentElement.textContent.trim() : null,
          index: Array.from(document.querySelectorAll('.coursekit')).filter(el => {
            let r = el; while (r.parentElement && r.parentElement.closest('.coursekit'))
              r = r.parentElement.closest('.coursekit'); return r === el; }).indexOf(root)};
}"""


def focused(page) -> dict:
    """Where focus is: tag, kit widget kind (``coursekit-reflection``...), text, value."""
    return page.evaluate(_FOCUSED)


@dataclass
class Keys:
    """Press allowed keys only; count Tabs; keep a log of (key, focus) for messages."""

    page: object
    tabs: int = 0
    log: list = field(default_factory=list)

    def press(self, key: str, settle: int = 60) -> dict:
        if key not in ALLOWED:
            raise ValueError(f"{key!r} is not one of the keys the keyboard test may use")
        self.page.keyboard.press(key)
        if key in ("Tab", "Shift+Tab"):
            self.tabs += 1
        self.page.wait_for_timeout(settle)
        where = focused(self.page)
        self.log.append((key, where))
        return where

    def tab_until(self, check, limit: int = 40, key: str = "Tab") -> dict:
        """Press Tab (or Shift+Tab) until ``check(focus)`` holds; fail after ``limit``."""
        for _ in range(limit):
            where = self.press(key)
            if check(where):
                return where
        trail = "\n".join(f"{k}: {w}" for k, w in self.log[-limit:])
        raise AssertionError(f"{limit} presses of {key} never reached the control:\n{trail}")

    def wait_focus(self, check, timeout_ms: int = 5000) -> dict:
        """Focus after the kernel has answered (a button's widget may redraw)."""
        waited = 0
        where = focused(self.page)
        while waited < timeout_ms:
            where = focused(self.page)
            if check(where):
                return where
            self.page.wait_for_timeout(100)
            waited += 100
        raise AssertionError(f"focus is at {where}")


def in_kind(kind: str, tag: str | None = None, text: str | None = None):
    """A check for :meth:`Keys.tab_until`: focus in a kit widget of ``kind``."""
    def check(where: dict) -> bool:
        return (where.get("kind") == kind and (tag is None or where["tag"] == tag)
                and (text is None or text in where["text"]))
    return check
