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
  if (current.nodeType !== next.nodeType || current.nodeName !== next.nodeName) {
    current.replaceWith(doc.importNode(next, true));
    return;
  }
  if (current.nodeType !== Node.ELEMENT_NODE) {
    // Text and comments: same kind, different content.
    current.data = next.data;
    return;
  }
  if (!sameAttributes(current, next)) syncAttributes(current, next);
  morphChildren(doc, current, next);
}

// Brings the children of `current` to those of `next`: the equal runs at both ends stay as
// they are, the children between are morphed pair by pair when both sides have as many, and
// replaced otherwise. A block inserted, deleted or moved among a hundred sections so changes
// only the sections between (the preview's markers stay the same where the source did).
function morphChildren(doc, current, next) {
  const mine = Array.from(current.childNodes);
  const theirs = Array.from(next.childNodes);
  const shorter = Math.min(mine.length, theirs.length);
  let start = 0;
  while (start < shorter && mine[start].isEqualNode(theirs[start])) start++;
  let endMine = mine.length;
  let endTheirs = theirs.length;
  while (endMine > start && endTheirs > start && mine[endMine - 1].isEqualNode(theirs[endTheirs - 1])) {
    endMine--;
    endTheirs--;
  }
  if (endMine - start === endTheirs - start) {
    for (let i = start; i < endMine; i++) morph(doc, mine[i], theirs[i]);
    return;
  }
  const after = endMine < mine.length ? mine[endMine] : null;
  for (let i = start; i < endMine; i++) mine[i].remove();
  const added = theirs.slice(start, endTheirs).map((node) => doc.importNode(node, true));
  for (const node of added) current.insertBefore(node, after);
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
  const parsed = performance.now();
  syncAttributes(doc.documentElement, next.documentElement);
  const head = next.head.innerHTML;
  if (frame.__lpHead !== head) {
    doc.head.replaceChildren(...imported(doc, next.head));
    frame.__lpHead = head;
  }
  syncAttributes(doc.body, next.body);
  morphChildren(doc, doc.body, next.body);
  const morphed = performance.now();
  // Forces style and layout now, so the time below is what the patch really costs.
  void doc.body.offsetHeight;
  const finished = performance.now();
  (window.__letterpressPatchTimings ||= []).push(finished - started);
  // The patch's parts (parse, morph, style and layout), for the measurements.
  (window.__letterpressPatchParts ||= []).push([parsed - started, morphed - parsed, finished - morphed]);
  redraw(frame);
  // When the frame that paints this patch is due (the measurements' "preview shown").
  requestAnimationFrame(() => (window.__letterpressPatchShown ||= []).push(performance.now()));
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

// ----- visual mapping ---------------------------------------------------------------------
// The email carries markers (class `lp-F-O`, or `data-lp="F-O"` on HTML inside text) naming
// the source element of each box. Everything here runs in the app's page: the frame runs no
// script. Outlines are boxes in an overlay above the frame, never styles inside the email.

const MARKER_CLASS = /^lp-(\d+-\d+)$/;

function markerOf(element) {
  for (let e = element; e && e.nodeType === Node.ELEMENT_NODE; e = e.parentElement) {
    const data = e.getAttribute("data-lp");
    if (data) return data;
    for (const c of e.classList) {
      const m = MARKER_CLASS.exec(c);
      if (m) return m[1];
    }
  }
  return null;
}

function elementsOf(doc, marker) {
  if (!/^\d+-\d+$/.test(marker)) return [];
  return Array.from(doc.querySelectorAll(`.lp-${marker}, [data-lp="${marker}"]`));
}

/// The marker (`F-O`) of the element under a point of the app's viewport, or null.
export function markerAt(frame, clientX, clientY) {
  const doc = frame && frame.__lpReady ? frame.contentDocument : null;
  if (!doc) return null;
  const r = frame.getBoundingClientRect();
  const element = doc.elementFromPoint(clientX - r.left - frame.clientLeft, clientY - r.top - frame.clientTop);
  return element ? markerOf(element) : null;
}

/// The markers of the first box of `marker` and of the boxes around it, outermost first
/// (the breadcrumb as the email nests it, across layout, partials and template).
export function ancestry(frame, marker) {
  const doc = frame && frame.__lpReady ? frame.contentDocument : null;
  const first = doc && marker ? elementsOf(doc, marker)[0] : null;
  const out = [];
  for (let e = first; e && e.nodeType === Node.ELEMENT_NODE; e = e.parentElement) {
    const m = markerOf(e);
    if (m && out[0] !== m) out.unshift(m);
  }
  return out;
}

/// How many boxes of the email carry `marker` (a loop repeats one element).
export function count(frame, marker) {
  const doc = frame && frame.__lpReady ? frame.contentDocument : null;
  return doc && marker ? elementsOf(doc, marker).length : 0;
}

function draw(frame, layer, marker, kind) {
  for (const old of Array.from(layer.querySelectorAll(`.lp-box.${kind}`))) old.remove();
  drawMore(frame, layer, marker, kind);
}

function drawMore(frame, layer, marker, kind) {
  const doc = frame.__lpReady ? frame.contentDocument : null;
  if (!doc || !marker) return;
  const fr = frame.getBoundingClientRect();
  const lr = layer.getBoundingClientRect();
  const dx = fr.left + frame.clientLeft - lr.left;
  const dy = fr.top + frame.clientTop - lr.top;
  for (const element of elementsOf(doc, marker)) {
    const rect = element.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue;
    const box = document.createElement("div");
    box.className = `lp-box ${kind}`;
    box.dataset.marker = marker;
    box.style.left = `${dx + rect.left}px`;
    box.style.top = `${dy + rect.top}px`;
    box.style.width = `${rect.width}px`;
    box.style.height = `${rect.height}px`;
    layer.appendChild(box);
  }
}

/// Draws the labelled frames of the Jinja blocks around the selection: each surrounds every
/// box of its members' markers, outer ones a little larger.
function drawFrames(frame, layer, frames) {
  for (const old of Array.from(layer.querySelectorAll(".lp-frame"))) old.remove();
  const doc = frame.__lpReady ? frame.contentDocument : null;
  if (!doc || !frames) return;
  const fr = frame.getBoundingClientRect();
  const lr = layer.getBoundingClientRect();
  const dx = fr.left + frame.clientLeft - lr.left;
  const dy = fr.top + frame.clientTop - lr.top;
  frames.forEach((f, i) => {
    let box = null;
    for (const marker of f.markers) {
      for (const element of elementsOf(doc, marker)) {
        const r = element.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        box = box
          ? { l: Math.min(box.l, r.left), t: Math.min(box.t, r.top), r: Math.max(box.r, r.right), b: Math.max(box.b, r.bottom) }
          : { l: r.left, t: r.top, r: r.right, b: r.bottom };
      }
    }
    if (!box) return;
    const pad = 3 + 4 * (frames.length - 1 - i);
    const el = document.createElement("div");
    el.className = `lp-frame ${f.kind}`;
    el.setAttribute("data-test", "logic-frame");
    el.style.left = `${dx + box.l - pad}px`;
    el.style.top = `${dy + box.t - pad}px`;
    el.style.width = `${box.r - box.l + 2 * pad}px`;
    el.style.height = `${box.b - box.t + 2 * pad}px`;
    const chip = document.createElement("span");
    chip.className = "lp-frame-label";
    chip.textContent = f.label;
    el.appendChild(chip);
    layer.appendChild(el);
  });
}

/// Frames the Jinja blocks around the selection (`[{ label, kind, markers }]`, outermost
/// first; empty: none); they follow the email like the outlines.
export function frames(frame, layer, list) {
  if (!frame || !layer) return;
  const state = outlineState(frame, layer);
  state.layer = layer;
  state.frames = Array.from(list || []);
  redraw(frame);
}

// The outlines' state of a frame; made once, with an observer that redraws them when the
// frame changes size (the code hidden or shown, the window resized, mobile width).
function outlineState(frame, layer) {
  if (!frame.__lpOutline) {
    frame.__lpOutline = { layer, selected: null, hovered: null };
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => redraw(frame)).observe(frame);
    }
  }
  return frame.__lpOutline;
}

function redraw(frame) {
  const state = frame.__lpOutline;
  if (!state || !state.layer) return;
  drawFrames(frame, state.layer, state.frames);
  for (const old of Array.from(state.layer.querySelectorAll(".lp-box.opaque"))) old.remove();
  for (const marker of state.opaque || []) drawMore(frame, state.layer, marker, "opaque");
  draw(frame, state.layer, state.selected, "selected");
  draw(frame, state.layer, state.hovered, "hovered");
}

/// Hatches every box of `markers` (elements visual editing leaves to the code).
export function hatch(frame, layer, markers) {
  if (!frame || !layer) return;
  const state = outlineState(frame, layer);
  state.layer = layer;
  state.opaque = Array.from(markers || []);
  redraw(frame);
}

/// Outlines every box of `marker` (null: none) in `layer` as `kind` ("selected" or
/// "hovered"); the outlines follow the email when it is patched or scrolled.
export function outline(frame, layer, marker, kind) {
  if (!frame || !layer) return;
  const state = outlineState(frame, layer);
  state.layer = layer;
  state[kind] = marker || null;
  redraw(frame);
}

/// Scrolls the email (wheel events land on the layer above it) and moves the outlines.
export function scrollBy(frame, dx, dy) {
  const win = frame && frame.contentWindow;
  if (!win) return;
  win.scrollBy(dx, dy);
  redraw(frame);
}

/// The message (`t("key")` output, between `<!--lp:t:key-->` and `<!--lp:/t-->`) drawn under a
/// point of the app's viewport: `{ key, left, top, width, height }` relative to `layer`, or
/// null.
export function messageAt(frame, layer, clientX, clientY) {
  const doc = frame && frame.__lpReady ? frame.contentDocument : null;
  if (!doc || !doc.body) return null;
  const fr = frame.getBoundingClientRect();
  const x = clientX - fr.left - frame.clientLeft;
  const y = clientY - fr.top - frame.clientTop;
  const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_COMMENT);
  let open = null;
  for (let c = walker.nextNode(); c; c = walker.nextNode()) {
    const data = c.data;
    if (data.startsWith("lp:t:")) open = c;
    else if (data === "lp:/t" && open) {
      const range = doc.createRange();
      range.setStartAfter(open);
      range.setEndBefore(c);
      const key = open.data.slice(5);
      open = null;
      for (const r of Array.from(range.getClientRects())) {
        if (x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) {
          const all = range.getBoundingClientRect();
          const lr = layer.getBoundingClientRect();
          const dx = fr.left + frame.clientLeft - lr.left;
          const dy = fr.top + frame.clientTop - lr.top;
          return { key, left: dx + all.left, top: dy + all.top, width: all.width, height: all.height };
        }
      }
    }
  }
  return null;
}

/// The marked element under a point of the app's viewport, for typing over it in place:
/// `{ marker, left, top, width, height, style }` relative to `layer` (`style`: its font,
/// colour and alignment as CSS, so the editor looks like the text), or null.
export function elementBoxAt(frame, layer, clientX, clientY) {
  const doc = frame && frame.__lpReady ? frame.contentDocument : null;
  if (!doc || !layer) return null;
  const fr = frame.getBoundingClientRect();
  const x = clientX - fr.left - frame.clientLeft;
  const y = clientY - fr.top - frame.clientTop;
  let element = doc.elementFromPoint(x, y);
  const marker = element ? markerOf(element) : null;
  if (!marker) return null;
  const rect = element.getBoundingClientRect();
  const lr = layer.getBoundingClientRect();
  const dx = fr.left + frame.clientLeft - lr.left;
  const dy = fr.top + frame.clientTop - lr.top;
  const cs = frame.contentWindow.getComputedStyle(element);
  const style = ["font-family", "font-size", "font-weight", "font-style", "line-height", "color", "text-align", "letter-spacing"]
    .map((p) => `${p}:${cs.getPropertyValue(p)}`)
    .join(";");
  return { marker, left: dx + rect.left, top: dy + rect.top, width: rect.width, height: rect.height, style, text: element.textContent };
}

/// Prepares an in-place text editor (a contenteditable over the email): focuses it, puts the
/// caret at the point that was double-clicked, and makes paste and drop insert plain text
/// only (markup is not typed in place).
export function typeInPlace(element, clientX, clientY) {
  if (!element) return;
  element.focus();
  const range = document.caretRangeFromPoint ? document.caretRangeFromPoint(clientX, clientY) : null;
  const selection = window.getSelection();
  if (selection) {
    selection.removeAllRanges();
    if (range && element.contains(range.startContainer)) {
      selection.addRange(range);
    } else {
      const end = document.createRange();
      end.selectNodeContents(element);
      end.collapse(false);
      selection.addRange(end);
    }
  }
  if (element.__lpPlain) return;
  element.__lpPlain = true;
  element.addEventListener("paste", (ev) => {
    ev.preventDefault();
    const text = (ev.clipboardData && ev.clipboardData.getData("text/plain")) || "";
    document.execCommand("insertText", false, text.replace(/[\r\n]+/g, " "));
  });
  element.addEventListener("drop", (ev) => ev.preventDefault());
}

/// The centre of the first box of `marker` in the app's viewport (scrolled into view
/// first), or null: where a double-click on it would land.
export function centreOf(frame, marker) {
  const doc = frame && frame.__lpReady ? frame.contentDocument : null;
  const first = doc && marker ? elementsOf(doc, marker).find((e) => e.getBoundingClientRect().width > 0) : null;
  if (!first) return null;
  first.scrollIntoView({ block: "nearest" });
  redraw(frame);
  const r = first.getBoundingClientRect();
  const fr = frame.getBoundingClientRect();
  return { x: fr.left + frame.clientLeft + r.left + Math.min(r.width / 2, 40), y: fr.top + frame.clientTop + r.top + r.height / 2 };
}

/// The first box of `marker` in the app's viewport: `{ left, top, width, height }`, or null.
export function boxOf(frame, marker) {
  const doc = frame && frame.__lpReady ? frame.contentDocument : null;
  if (!doc || !marker) return null;
  const fr = frame.getBoundingClientRect();
  for (const element of elementsOf(doc, marker)) {
    const r = element.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    return {
      left: fr.left + frame.clientLeft + r.left,
      top: fr.top + frame.clientTop + r.top,
      width: r.width,
      height: r.height,
    };
  }
  return null;
}

/// Draws the drop zone of a drag in `layer`: a bar before or after the first box of
/// `marker` (left/right of it when `horizontal`), or a frame inside it, with `label`; null
/// `marker` removes it.
export function dropZone(frame, layer, marker, place, horizontal, label) {
  if (!layer) return;
  let zone = layer.querySelector(".lp-drop");
  if (!marker) {
    if (zone) zone.remove();
    return;
  }
  const box = boxOf(frame, marker);
  if (!box) {
    if (zone) zone.remove();
    return;
  }
  if (!zone) {
    zone = document.createElement("div");
    zone.className = "lp-drop";
    zone.setAttribute("data-test", "drop-zone");
    const chip = document.createElement("span");
    chip.className = "lp-drop-label";
    zone.appendChild(chip);
    layer.appendChild(zone);
  }
  const lr = layer.getBoundingClientRect();
  const x = box.left - lr.left, y = box.top - lr.top;
  const bar = 4;
  let r;
  if (place === "inside") r = { left: x, top: y, width: box.width, height: box.height };
  else if (horizontal) r = { left: (place === "before" ? x : x + box.width) - bar / 2, top: y, width: bar, height: box.height };
  else r = { left: x, top: (place === "before" ? y : y + box.height) - bar / 2, width: box.width, height: bar };
  zone.className = `lp-drop ${place}`;
  zone.style.left = `${r.left}px`;
  zone.style.top = `${r.top}px`;
  zone.style.width = `${r.width}px`;
  zone.style.height = `${r.height}px`;
  zone.dataset.place = place;
  zone.dataset.marker = marker;
  zone.firstChild.textContent = label;
}
