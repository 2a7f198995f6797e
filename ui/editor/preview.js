// The email preview: one sandboxed iframe (no scripts; same origin only so the app can update
// it) whose document is patched in place on every render instead of reloaded. Patching keeps
// the reader's scroll position and skips a navigation per keystroke.

const BLANK = "<!doctype html><html><head></head><body></body></html>";

function syncAttributes(target, source) {
  for (const { name } of Array.from(target.attributes)) {
    if (!source.hasAttribute(name)) target.removeAttribute(name);
  }
  for (const { name, value } of Array.from(source.attributes)) {
    if (target.getAttribute(name) !== value) target.setAttribute(name, value);
  }
}

function imported(doc, parent) {
  return Array.from(parent.childNodes, (node) => doc.importNode(node, true));
}

function apply(frame, html) {
  const started = performance.now();
  const doc = frame.contentDocument;
  // Not ours any more (a link was followed): start again from a blank standards-mode page.
  if (!doc || doc.URL !== "about:srcdoc" || !doc.documentElement) {
    frame.__lpReady = false;
    prepare(frame);
    return;
  }
  const next = new DOMParser().parseFromString(html, "text/html");
  syncAttributes(doc.documentElement, next.documentElement);
  const head = next.head.innerHTML;
  if (frame.__lpHead !== head) {
    doc.head.replaceChildren(...imported(doc, next.head));
    frame.__lpHead = head;
  }
  syncAttributes(doc.body, next.body);
  doc.body.replaceChildren(...imported(doc, next.body));
  // Forces style and layout now, so the time below is what the patch really costs.
  void doc.body.offsetHeight;
  (window.__letterpressPatchTimings ||= []).push(performance.now() - started);
}

function prepare(frame) {
  if (frame.__lpLoading) return;
  frame.__lpLoading = true;
  frame.__lpHead = undefined;
  frame.addEventListener(
    "load",
    () => {
      frame.__lpLoading = false;
      frame.__lpReady = true;
      apply(frame, frame.__lpHtml);
    },
    { once: true },
  );
  frame.srcdoc = BLANK;
}

/// Shows `html` in `frame`: patched into the current document, or once the blank page loaded.
export function show(frame, html) {
  if (!frame) return;
  frame.__lpHtml = html == null ? "" : String(html);
  if (frame.__lpReady) apply(frame, frame.__lpHtml);
  else prepare(frame);
}

/// The HTML the preview shows now (tests read it).
export function current(frame) {
  const doc = frame && frame.__lpReady ? frame.contentDocument : null;
  return doc && doc.documentElement ? doc.documentElement.outerHTML : "";
}
