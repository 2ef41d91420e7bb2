// coursekit's page script: keyboard and screen-reader behaviour for the kit's widgets.
//
// Sent once per front end by one hidden anywidget model (coursekit.widgets._page) that
// every kit widget carries beside its stylesheet; the same file runs in JupyterLab and
// in the browser edition (JupyterLite). It only touches elements inside `.coursekit`:
//  * every radio group is one Tab stop (native radios sharing a `name`; the arrow keys
//    move the choice), role=radiogroup, named by its question;
//  * text boxes are named by their prompt;
//  * keys typed in a kit widget never reach JupyterLab's shortcuts (Enter, arrows,
//    Shift+Enter...), except with Ctrl, Alt or Meta (Ctrl+S still saves);
//  * after Check, Skip, Previous, Next, Close... focus stays on or next to the control;
//  * Pause is a disclosure: aria-expanded, Escape closes it, focus returns to it;
//  * "Skip to the first task" in the lesson's opening widget;
//  * the page never keeps more than one history entry (Quick exit then leaves no Back
//    path to the lesson: see lesson_start.py).

const FLAG = "__coursekitPage";
const FOCUSABLE = "button, input, select, textarea, a[href], [tabindex]:not([tabindex='-1'])";
let counter = 0;

function uid(prefix) {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

function idOf(el) {
  if (!el.id) el.id = uid("ck");
  return el.id;
}

function visible(el) {
  return !!(el && el.isConnected && el.getClientRects().length &&
            getComputedStyle(el).visibility !== "hidden" && !el.disabled);
}

function rootOf(el) {
  // The outermost kit widget around el (a kit widget's own boxes are `.coursekit` too).
  let root = el.closest(".coursekit");
  while (root && root.parentElement && root.parentElement.closest(".coursekit")) {
    root = root.parentElement.closest(".coursekit");
  }
  return root;
}

function questionOf(el) {
  const root = el.closest(".coursekit-selfcheck-question, .coursekit");
  if (!root) return null;
  const prompt = root.querySelector(".coursekit-prompt p:last-of-type");
  return prompt || root.querySelector(".coursekit-question p, .coursekit-question");
}

function fixRadios(group) {
  const box = group.querySelector(".widget-radio-box");
  if (!box) return;
  const label = group.querySelector(":scope > .widget-label");
  const radios = box.querySelectorAll("input[type=radio]");
  if (!group.dataset.ckName) group.dataset.ckName = uid("ck-radio");
  radios.forEach((r) => { if (r.name !== group.dataset.ckName) r.name = group.dataset.ckName; });
  box.setAttribute("role", "radiogroup");
  // A scale that asks its widget's question ("Your rating") is named by that question.
  const question = group.classList.contains("coursekit-asks") ? questionOf(group) : null;
  const names = [question, label && label.textContent.trim() ? label : null].filter(Boolean);
  if (names.length) box.setAttribute("aria-labelledby", names.map(idOf).join(" "));
  if (label) label.removeAttribute("for");
  if (!box.dataset.ckChange) {
    box.dataset.ckChange = "1";
    // An arrow key checks the next radio and fires `change`; ipywidgets listens for
    // `click`, so the change is handed on as a click (idempotent on a checked radio).
    box.addEventListener("change", (e) => {
      if (e.target.type === "radio" && e.target.checked && !e.target.dataset.ckClicking) {
        e.target.dataset.ckClicking = "1";
        e.target.dispatchEvent(new MouseEvent("click", {bubbles: true}));
        delete e.target.dataset.ckClicking;
      }
    });
  }
}

function fixChecks(root) {
  // A checklist's boxes are one group named by its question (as a radio group is).
  root.querySelectorAll(".coursekit-checks").forEach((group) => {
    group.setAttribute("role", "group");
    const q = questionOf(group);
    if (q) group.setAttribute("aria-labelledby", idOf(q));
  });
}

function fixTexts(root) {
  root.querySelectorAll(".coursekit-reflection textarea, .coursekit-answer textarea").forEach((box) => {
    const q = questionOf(box);
    if (q) box.setAttribute("aria-labelledby", idOf(q));
  });
}

function fixPause(root) {
  const panel = root.querySelector(".coursekit-panel");
  root.querySelectorAll("button").forEach((b) => {
    if (b.textContent.trim() !== "Pause") return;
    b.classList.add("coursekit-pause");
    const open = !!(panel && visible(panel));
    b.setAttribute("aria-expanded", open ? "true" : "false");
    if (panel) b.setAttribute("aria-controls", idOf(panel));
  });
}

function skipTo(link) {
  const start = rootOf(link);
  const reflection = link.dataset.to === "reflection";
  const after = Array.from(document.querySelectorAll(".coursekit")).filter((el) =>
    rootOf(el) === el && el !== start && !el.classList.contains("coursekit-safety-bar") &&
    (!reflection || el.classList.contains("coursekit-reflection")) &&
    (start.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING));
  for (const widget of after) {
    // The first control that takes a Tab stop (in a radio group: the checked one, else
    // the first).
    const target = Array.from(widget.querySelectorAll("input, select, textarea"))
      .find((el) => visible(el) && (el.type !== "radio" || el.checked ||
            !widget.querySelector(`input[name="${el.name}"]:checked`)));
    if (target) {
      target.scrollIntoView({block: "center"});
      target.focus();
      return true;
    }
  }
  return false;
}

function fixSkip(root) {
  root.querySelectorAll("a.coursekit-skip").forEach((link) => {
    if (link.dataset.ckSkip) return;
    link.dataset.ckSkip = "1";
    link.setAttribute("role", "button");  // it moves focus, it goes nowhere
    link.addEventListener("click", (e) => { e.preventDefault(); skipTo(link); });
    link.addEventListener("keydown", (e) => {
      if (e.key === " ") { e.preventDefault(); skipTo(link); }
    });
  });
}

const lastAction = {root: null, label: "", before: null, at: 0};

function restoreFocus() {
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected && visible(active)) return true;
  const root = lastAction.root;
  if (!root || !root.isConnected) return false;
  const items = Array.from(root.querySelectorAll(FOCUSABLE)).filter(visible);
  let target = null;
  if (lastAction.label === "Close the pause panel") {
    target = items.find((el) => el.textContent.trim() === "Pause");
  }
  target = target || items.find((el) => el.tagName === "BUTTON" &&
                                         el.textContent.trim() === lastAction.label);
  if (!target && lastAction.before && visible(lastAction.before)) target = lastAction.before;
  target = target || items.find((el) => el.matches("textarea, input, select")) || items[0];
  if (!target) {
    root.setAttribute("tabindex", "-1");
    target = root;
  }
  target.focus();
  return true;
}

function watchFocus(button) {
  const root = rootOf(button);
  const items = Array.from(root.querySelectorAll(FOCUSABLE)).filter(visible);
  const at = items.indexOf(button);
  Object.assign(lastAction, {root, label: button.textContent.trim(),
                             before: at > 0 ? items[at - 1] : null, at: Date.now()});
  const started = lastAction.at;
  const tick = () => {
    if (lastAction.at !== started || Date.now() - started > 4000) return;
    restoreFocus();
    setTimeout(tick, 100);
  };
  setTimeout(tick, 50);
}

function onKeydown(e) {
  const root = e.currentTarget;
  if (e.key === "Escape") {
    const close = Array.from(root.querySelectorAll("button"))
      .find((b) => b.textContent.trim() === "Close the pause panel" && visible(b));
    if (close) {
      e.preventDefault();
      watchFocus(close);
      lastAction.label = "Close the pause panel";
      close.click();
      const pause = root.querySelector("button.coursekit-pause");
      if (pause) pause.focus();
    }
  }
  if (!(e.ctrlKey || e.metaKey || e.altKey)) e.stopPropagation();
}

function fixRoot(root) {
  if (!root.dataset.ckKeys) {
    root.dataset.ckKeys = "1";
    root.addEventListener("keydown", onKeydown);
    // lm-suppress-shortcuts: Lumino's own marker for "no shortcuts in here".
    root.setAttribute("data-lm-suppress-shortcuts", "true");
    root.addEventListener("click", (e) => {
      const b = e.target.closest("button");
      // Only a keyboard press (a click of detail 0): a mouse user's next click elsewhere
      // must never be pulled back into the widget.
      if (b && root.contains(b) && e.detail === 0) watchFocus(b);
    });
  }
  root.querySelectorAll(".widget-radio").forEach(fixRadios);
  fixTexts(root);
  fixChecks(root);
  fixPause(root);
  fixSkip(root);
}

function scan() {
  document.querySelectorAll(".coursekit").forEach((el) => {
    if (rootOf(el) === el) fixRoot(el);
  });
}

function singleHistoryEntry() {
  // JupyterLab's router pushes an entry for every tab or path it shows; replacing
  // instead keeps one entry for the whole page, which Quick exit then replaces.
  if (history.__coursekit) return;
  history.__coursekit = true;
  const replace = history.replaceState.bind(history);
  history.pushState = (state, title, url) => replace(state, title, url);
}

const NARROW = 700;
let wasNarrow = false;

function roomForTheLesson() {
  // On a narrow screen (320 CSS px, 400 % zoom) JupyterLab's file browser would cover
  // the lesson: close the side panels when the lesson's widgets first appear, and again
  // each time the window becomes narrow (a learner zooming in on an open lesson); never
  // while it stays narrow, so a learner who opens the file browser again keeps it.
  const narrow = window.innerWidth < NARROW;
  const closing = narrow && !wasNarrow;
  wasNarrow = narrow;
  if (!closing) return;
  const app = window.jupyterapp || window.jupyterlab;
  if (app && app.shell && app.shell.collapseLeft) {
    app.shell.collapseLeft();
    if (app.shell.collapseRight) app.shell.collapseRight();
    return;
  }
  // Without the app object: a click on a side bar's open tab closes its panel.
  document.querySelectorAll(".jp-SideBar .lm-TabBar-tab.lm-mod-current").forEach((tab) => {
    tab.dispatchEvent(new MouseEvent("mousedown", {bubbles: true, button: 0}));
    tab.dispatchEvent(new MouseEvent("mouseup", {bubbles: true, button: 0}));
    tab.click();
  });
}

function install() {
  if (window[FLAG]) return;
  window[FLAG] = true;
  singleHistoryEntry();
  roomForTheLesson();
  window.addEventListener("resize", roomForTheLesson);
  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; scan(); });
  });
  observer.observe(document.body, {childList: true, subtree: true, attributes: true,
                                   attributeFilter: ["style", "class"]});
  scan();
}

export default {
  render({ el }) {
    el.setAttribute("hidden", "");
    install();
    scan();
  },
};
