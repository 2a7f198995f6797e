// The email preview: one sandboxed iframe (no scripts; same origin only so the app can update
// it) whose document is patched in place on every render instead of reloaded: only the nodes
// that differ are replaced. Patching keeps the reader's scroll position, skips a navigation
// per keystroke, and limits style and layout work to what changed.

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

function sameAttributes(a, b) {
  if (a.attributes.length !== b.attributes.length) return false;
  for (const { name, value } of Array.from(b.attributes)) {
    if (a.getAttribute(name) !== value) return false;
  }
  return true;
}

// Brings `current` (in the frame) to equal `next` (parsed), touching only what differs, so a
// keystroke re-lays out the one block it changed rather than the whole email.
function morph(doc, current, next) {
  if (current.isEqualNode(next)) return;
  const sameShape =
    current.nodeType === next.nodeType &&
    current.nodeName === next.nodeName &&
    current.childNodes.length === next.childNodes.length;
  if (!sameShape) {
    current.replaceWith(doc.importNode(next, true));
    return;
  }
  if (current.nodeType !== Node.ELEMENT_NODE) {
    // Text and comments: same kind, different content.
    current.data = next.data;
    return;
  }
  if (!sameAttributes(current, next)) syncAttributes(current, next);
  const mine = Array.from(current.childNodes);
  const theirs = Array.from(next.childNodes);
  for (let i = 0; i < mine.length; i++) morph(doc, mine[i], theirs[i]);
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
  if (doc.body.childNodes.length === next.body.childNodes.length) {
    const mine = Array.from(doc.body.childNodes);
    const theirs = Array.from(next.body.childNodes);
    for (let i = 0; i < mine.length; i++) morph(doc, mine[i], theirs[i]);
  } else {
    doc.body.replaceChildren(...imported(doc, next.body));
  }
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
