// Letterpress code editor: CodeMirror 6 behind a tiny global API (`window.LetterpressEditor`)
// that the Leptos UI calls through wasm-bindgen. Bundled by ui/editor/build.mjs into one
// self-contained IIFE (ui/dist/editor.js): no remote loads, no eval, works under
// `script-src 'self'`.

import { basicSetup } from "codemirror";
import { EditorState, EditorSelection, Compartment, Prec, RangeSetBuilder, StateEffect, StateField } from "@codemirror/state";
import { EditorView, ViewPlugin, Decoration, keymap } from "@codemirror/view";
import { indentWithTab, invertedEffects, isolateHistory } from "@codemirror/commands";
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";
import { html } from "@codemirror/lang-html";
import { json } from "@codemirror/lang-json";
import { autocompletion, snippetCompletion } from "@codemirror/autocomplete";
import { linter, lintGutter, setDiagnostics as lintSetDiagnostics } from "@codemirror/lint";
import { MergeView } from "@codemirror/merge";
import * as preview from "./preview.js";

const LANGUAGES = ["mjml", "json", "ftl", "text"];

// Used when the host gives no schema: the standard MJML elements, any attribute.
const DEFAULT_ELEMENTS = [
  "mjml", "mj-head", "mj-body", "mj-attributes", "mj-all", "mj-class", "mj-breakpoint", "mj-font",
  "mj-html-attributes", "mj-preview", "mj-style", "mj-title", "mj-accordion", "mj-accordion-element",
  "mj-accordion-title", "mj-accordion-text", "mj-button", "mj-carousel", "mj-carousel-image", "mj-column",
  "mj-divider", "mj-group", "mj-hero", "mj-image", "mj-include", "mj-navbar", "mj-navbar-link", "mj-raw",
  "mj-section", "mj-social", "mj-social-element", "mj-spacer", "mj-table", "mj-text", "mj-wrapper",
];
const ALWAYS_ATTRIBUTES = ["mj-class", "css-class"];

/** Schema as a Map: element name -> array of attribute names, or null (= any attribute).
 *  Accepts a plain object or a JS Map (serde_wasm_bindgen serializes maps as Map). */
function normalizeSchema(schema) {
  const out = new Map();
  if (schema == null) return out;
  const entries = schema instanceof Map ? schema.entries() : Object.entries(schema);
  for (const [name, attrs] of entries) {
    out.set(String(name), Array.isArray(attrs) ? attrs.map(String) : null);
  }
  return out;
}

function normalizeLanguage(language) {
  return LANGUAGES.includes(language) ? language : "text";
}

// ---------------------------------------------------------------------------------------
// Jinja delimiters inside MJML: mark decorations over `{{ … }}`, `{% … %}`, `{# … #}`.

const JINJA_RE = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}|\{[{%#][^\n]*/g;
const JINJA_INNER_RE = /"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[A-Za-z_][\w]*|[^"'A-Za-z_]+/g;
const JINJA_KEYWORDS = new Set([
  "if", "elif", "else", "endif", "for", "in", "endfor", "include", "import", "from", "as", "set",
  "endset", "macro", "endmacro", "call", "endcall", "block", "endblock", "extends", "filter",
  "endfilter", "with", "endwith", "without", "context", "ignore", "missing", "not", "and", "or",
  "is", "true", "false", "none", "True", "False", "None", "raw", "endraw", "recursive", "loop",
]);
const jinjaMarks = {
  delim: Decoration.mark({ class: "cm-jinja cm-jinja-delim" }),
  expr: Decoration.mark({ class: "cm-jinja cm-jinja-expr" }),
  keyword: Decoration.mark({ class: "cm-jinja cm-jinja-keyword" }),
  string: Decoration.mark({ class: "cm-jinja cm-jinja-string" }),
  comment: Decoration.mark({ class: "cm-jinja cm-jinja-comment" }),
};

function jinjaDecorations(view) {
  const doc = view.state.doc;
  // Templates are small; scanning a generous window around the viewport keeps this cheap
  // even for large files while never starting inside a visible tag.
  const margin = 20000;
  const from = Math.max(0, view.viewport.from - margin);
  const to = Math.min(doc.length, view.viewport.to + margin);
  const text = doc.sliceString(from, to);
  const builder = new RangeSetBuilder();
  JINJA_RE.lastIndex = 0;
  let m;
  while ((m = JINJA_RE.exec(text))) {
    const start = from + m.index;
    const src = m[0];
    const kind = src[1];
    const closed = src.length >= 4 && src.endsWith(kind === "{" ? "}}" : kind + "}");
    const end = start + src.length;
    if (kind === "#") {
      builder.add(start, end, jinjaMarks.comment);
      continue;
    }
    const innerFrom = start + 2;
    const innerTo = closed ? end - 2 : end;
    builder.add(start, innerFrom, jinjaMarks.delim);
    const inner = src.slice(2, innerTo - start);
    JINJA_INNER_RE.lastIndex = 0;
    let tok;
    while ((tok = JINJA_INNER_RE.exec(inner))) {
      if (!tok[0].length) { JINJA_INNER_RE.lastIndex++; continue; }
      const a = innerFrom + tok.index;
      const b = a + tok[0].length;
      const c = tok[0][0];
      let mark = jinjaMarks.expr;
      if (c === '"' || c === "'") mark = jinjaMarks.string;
      else if (JINJA_KEYWORDS.has(tok[0])) mark = jinjaMarks.keyword;
      else if (!/\S/.test(tok[0])) continue;
      builder.add(a, b, mark);
    }
    if (closed) builder.add(innerTo, end, jinjaMarks.delim);
  }
  return builder.finish();
}

const jinjaHighlighter = ViewPlugin.fromClass(
  class {
    constructor(view) {
      this.decorations = jinjaDecorations(view);
    }
    update(update) {
      if (update.docChanged || update.viewportChanged) this.decorations = jinjaDecorations(update.view);
    }
  },
  { decorations: (v) => v.decorations },
);

// ---------------------------------------------------------------------------------------
// Completion for MJML: element names after `<`, attributes inside `<mj-x …`, Jinja snippets.

function elementNames(inst) {
  return inst.schema.size ? [...inst.schema.keys()] : DEFAULT_ELEMENTS;
}

function attributeNames(inst, element) {
  const attrs = inst.schema.get(element);
  let names;
  if (Array.isArray(attrs)) {
    names = attrs;
  } else {
    // null / unknown element = any attribute: offer everything the schema knows.
    const all = new Set();
    for (const list of inst.schema.values()) if (list) list.forEach((a) => all.add(a));
    names = [...all].sort();
  }
  return [...new Set([...names, ...ALWAYS_ATTRIBUTES])];
}

/** If `before` ends inside an open tag (not inside a quoted value), returns its name and
 *  the attributes already written; otherwise null. */
function openTag(before) {
  const lt = before.lastIndexOf("<");
  if (lt < 0) return null;
  const seg = before.slice(lt);
  const name = /^<([A-Za-z][\w-]*)\s/.exec(seg);
  if (!name) return null;
  let quote = null;
  for (let i = name[0].length; i < seg.length; i++) {
    const c = seg[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ">") {
      return null;
    }
  }
  if (quote) return null;
  const present = new Set();
  for (const a of seg.matchAll(/\s([\w-]+)\s*=/g)) present.add(a[1]);
  return { name: name[1], present };
}

function applyAttribute(view, completion, from, to) {
  const next = view.state.sliceDoc(to, to + 1);
  if (next === "=") {
    view.dispatch({ changes: { from, to, insert: completion.label }, selection: { anchor: from + completion.label.length + 1 } });
    return;
  }
  const insert = `${completion.label}=""`;
  view.dispatch({
    changes: { from, to, insert },
    selection: { anchor: from + insert.length - 1 },
    userEvent: "input.complete",
  });
}

function mjmlCompletions(inst) {
  return (context) => {
    const line = context.state.doc.lineAt(context.pos);
    const start = Math.max(0, context.pos - 4000);
    const before = context.state.sliceDoc(start, context.pos);

    // `<mj-…` or `</mj-…`: element names.
    const tag = /<(\/?)([\w-]*)$/.exec(before);
    if (tag) {
      const closing = tag[1] === "/";
      const from = context.pos - tag[2].length;
      return {
        from,
        options: elementNames(inst).map((name) => ({
          label: name,
          type: "type",
          detail: closing ? "close" : "element",
          apply: closing ? `${name}>` : name,
        })),
        validFor: /^[\w-]*$/,
      };
    }

    // Inside `<mj-x …`: that element's attributes.
    const open = openTag(before);
    if (open) {
      const word = /(^|\s)([\w-]*)$/.exec(before);
      if (!word) return null;
      const from = context.pos - word[2].length;
      if (!word[2] && !context.explicit && line.from !== context.pos && !/\s$/.test(before)) return null;
      const options = attributeNames(inst, open.name)
        .filter((a) => !open.present.has(a))
        .map((a) => ({ label: a, type: "property", detail: open.name, apply: applyAttribute }));
      if (!options.length) return null;
      return { from, options, validFor: /^[\w-]*$/ };
    }
    return null;
  };
}

/** A snippet that also replaces the `}` closeBrackets inserted after the typed `{`/`{{`. */
function jinjaSnippet(template, completion) {
  const c = snippetCompletion(template, completion);
  const insert = c.apply;
  c.apply = (view, completion, from, to) => {
    const opened = /^\{*/.exec(view.state.sliceDoc(from, to))[0].length;
    const closers = /^\}*/.exec(view.state.sliceDoc(to, to + opened))[0].length;
    insert(view, completion, from, to + closers);
  };
  return c;
}

const JINJA_SNIPPETS = [
  jinjaSnippet('{{ t("${key}") }}', { label: '{{ t("…") }}', detail: "translate", type: "function", boost: 50 }),
  jinjaSnippet("{{ ${expression} }}", { label: "{{ … }}", detail: "expression", type: "variable" }),
  jinjaSnippet("{% if ${condition} %}\n${}\n{% endif %}", { label: "{% if … %}…{% endif %}", detail: "block", type: "keyword" }),
  jinjaSnippet("{% for ${x} in ${xs} %}\n${}\n{% endfor %}", { label: "{% for x in xs %}…{% endfor %}", detail: "loop", type: "keyword" }),
  jinjaSnippet('{% include "partials/${}" %}', { label: '{% include "partials/…" %}', detail: "partial", type: "keyword" }),
  jinjaSnippet("{# ${} #}", { label: "{# … #}", detail: "comment", type: "text" }),
];

function jinjaCompletions(context) {
  const m = context.matchBefore(/\{[{%#]?[ \t]*\w*$/);
  if (m) return { from: m.from, options: JINJA_SNIPPETS };
  if (context.explicit) return { from: context.matchBefore(/\w*$/).from, options: JINJA_SNIPPETS };
  return null;
}

// ---------------------------------------------------------------------------------------
// JSON: an exact, engine-independent parse check (WebKit's JSON.parse gives no position).

function jsonError(text) {
  let i = 0;
  const n = text.length;
  const fail = (message, at = i) => {
    throw { pos: at, message };
  };
  const ws = () => {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const describe = () => (i >= n ? "end of input" : `'${text[i]}'`);
  const literal = (word) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`Unexpected token ${describe()}`);
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= n) fail("Unterminated string");
      const c = text.charCodeAt(i);
      if (c === 34) { i++; return; }
      if (c < 32) fail(c === 10 ? "Unterminated string" : "Control character in string");
      if (c === 92) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("Bad unicode escape");
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          fail("Bad escape in string");
        }
      } else {
        i++;
      }
    }
  };
  const number = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail("Invalid number");
    i += m[0].length;
    if (i < n && /[\w.]/.test(text[i])) fail("Invalid number");
  };
  const value = () => {
    ws();
    if (i >= n) fail("Unexpected end of input, expected a value");
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") { i++; return; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(i >= n ? "Unexpected end of input, expected a property name" : "Expected a double-quoted property name");
        string();
        ws();
        if (text[i] !== ":") fail("Expected ':' after property name");
        i++;
        value();
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] === "}") fail("Trailing comma");
          continue;
        }
        if (text[i] === "}") { i++; return; }
        fail(i >= n ? "Unexpected end of input, expected ',' or '}'" : "Expected ',' or '}' after property value");
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") { i++; return; }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] === "]") fail("Trailing comma");
          continue;
        }
        if (text[i] === "]") { i++; return; }
        fail(i >= n ? "Unexpected end of input, expected ',' or ']'" : "Expected ',' or ']' after array element");
      }
    } else if (c === '"') {
      string();
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      number();
    } else if (c === "t") {
      literal("true");
    } else if (c === "f") {
      literal("false");
    } else if (c === "n") {
      literal("null");
    } else {
      fail(`Unexpected token ${describe()}`);
    }
  };
  try {
    value();
    ws();
    if (i < n) fail(`Unexpected ${describe()} after the JSON value`);
    return null;
  } catch (e) {
    if (e && typeof e.pos === "number") return e;
    throw e;
  }
}

function jsonDiagnostics(state) {
  const text = state.doc.toString();
  const err = jsonError(text);
  if (!err) return [];
  const from = Math.min(err.pos, state.doc.length);
  return [{ from, to: wordEnd(state, from), severity: "error", message: err.message, source: "json" }];
}

// ---------------------------------------------------------------------------------------
// FTL (Fluent): a small stream language.

const FTL_ID = /^-?[a-zA-Z][\w-]*/;

const ftlLanguage = StreamLanguage.define({
  name: "ftl",
  startState: () => ({ stack: [], afterId: false }),
  copyState: (s) => ({ stack: s.stack.slice(), afterId: s.afterId }),
  token(stream, state) {
    const top = state.stack[state.stack.length - 1];
    const onlySpaceBefore = /^\s*$/.test(stream.string.slice(0, stream.pos));
    if (stream.sol()) {
      state.afterId = false;
      // A new message at column 0 resets a placeable left open above.
      if (state.stack.length && /^-?[a-zA-Z][\w-]*\s*=/.test(stream.string)) state.stack = [];
      if (!state.stack.length) {
        if (stream.match(/^#.*/)) return "comment";
        if (stream.match(FTL_ID)) {
          state.afterId = true;
          return "variableName.definition";
        }
      }
    }
    if (state.afterId) {
      state.afterId = false;
      if (stream.match(/^\s*=/)) return "operator";
    }
    if (top === "expr") {
      if (stream.eatSpace()) return null;
      if (stream.match(/^\$[a-zA-Z][\w-]*/)) return "variableName";
      if (stream.match(/^-[a-zA-Z][\w-]*/)) return "labelName";
      if (stream.match(/^"(?:[^"\\\n]|\\.)*"?/)) return "string";
      if (stream.match(/^-?\d+(?:\.\d+)?/)) return "number";
      if (stream.match(/^[A-Z][A-Z0-9_-]*(?=\s*\()/)) return "macroName";
      if (stream.match("->")) {
        state.stack[state.stack.length - 1] = "select";
        return "operator";
      }
      if (stream.eat("{")) {
        state.stack.push("expr");
        return "brace";
      }
      if (stream.eat("}")) {
        state.stack.pop();
        return "brace";
      }
      if (stream.match(/^\.[a-zA-Z][\w-]*/)) return "propertyName";
      if (stream.match(/^[a-zA-Z][\w-]*/)) return "variableName";
      stream.next();
      return "punctuation";
    }
    // Pattern text: top level or inside a select expression.
    if (onlySpaceBefore) {
      if (stream.eatSpace()) return null;
      if (stream.match(/^\*(?=\[)/)) return "keyword";
      if (stream.match(/^\[[^\]\n]*\]/)) return "atom";
      if (!state.stack.length && stream.match(/^\.[a-zA-Z][\w-]*/)) {
        state.afterId = true;
        return "propertyName";
      }
    }
    if (stream.eat("{")) {
      state.stack.push("expr");
      return "brace";
    }
    if (top === "select" && stream.eat("}")) {
      state.stack.pop();
      return "brace";
    }
    if (!stream.eatWhile(/[^{}]/)) stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "#" } },
});

// ---------------------------------------------------------------------------------------
// Theme: light, system UI font for the chrome, monospace 13px for code.

const UI_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const CODE_FONT = 'ui-monospace, "SF Mono", SFMono-Regular, Menlo, "Cascadia Mono", "JetBrains Mono", Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace';

const theme = EditorView.theme(
  {
    // The size is the user's preference (Preferences…), set on the page as a variable.
    "&": { height: "100%", backgroundColor: "#ffffff", color: "#1f2328", fontSize: "var(--editor-font-size, 13px)" },
    "&.cm-focused": { outline: "none" },
    ".cm-scroller": { fontFamily: CODE_FONT, lineHeight: "1.55", overflow: "auto" },
    ".cm-content": { padding: "6px 0", caretColor: "#0969da" },
    ".cm-line": { padding: "0 12px 0 8px" },
    ".cm-cursor, .cm-dropCursor": { borderLeftColor: "#0969da", borderLeftWidth: "2px" },
    "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection":
      { backgroundColor: "#cfe3ff" },
    "&:not(.cm-focused) .cm-selectionBackground": { backgroundColor: "#e6eaef" },
    ".cm-activeLine": { backgroundColor: "#f6f8fa" },
    ".cm-selectionMatch": { backgroundColor: "#fff1b8" },
    "&.cm-focused .cm-matchingBracket": { backgroundColor: "#dafbe1", outline: "1px solid #4ac26b80" },
    "&.cm-focused .cm-nonmatchingBracket": { backgroundColor: "#ffebe9" },
    ".cm-gutters": {
      backgroundColor: "#f6f8fa",
      // 5.9:1 on the gutter (WCAG AA for text: 4.5:1).
      color: "#57606a",
      borderRight: "1px solid #d8dee4",
      fontFamily: CODE_FONT,
      fontSize: "calc(var(--editor-font-size, 13px) - 1px)",
    },
    ".cm-lineNumbers .cm-gutterElement": { padding: "0 8px 0 10px", minWidth: "28px" },
    ".cm-activeLineGutter": { backgroundColor: "#eaeef2", color: "#1f2328" },
    ".cm-foldGutter .cm-gutterElement": { color: "#57606a", padding: "0 2px" },
    ".cm-foldPlaceholder": { backgroundColor: "#eaeef2", border: "1px solid #d0d7de", color: "#57606a", fontFamily: UI_FONT },
    // Lint gutter markers drawn with CSS (the stock ones are data: images, which a strict
    // img-src CSP blocks).
    ".cm-gutter-lint": { width: "14px" },
    ".cm-gutter-lint .cm-gutterElement": { padding: "0", display: "flex", justifyContent: "center" },
    ".cm-lint-marker": { content: "normal", display: "block", boxSizing: "border-box", marginTop: "6px" },
    ".cm-lint-marker-error": { width: "9px", height: "9px", borderRadius: "50%", backgroundColor: "#cf222e" },
    ".cm-lint-marker-warning": {
      width: "0",
      height: "0",
      borderLeft: "5px solid transparent",
      borderRight: "5px solid transparent",
      borderBottom: "9px solid #d4a72c",
    },
    ".cm-lint-marker-info": { width: "8px", height: "8px", backgroundColor: "#8c959f", borderRadius: "2px" },
    ".cm-lintRange": { backgroundImage: "none" },
    ".cm-lintRange-info, .cm-lintRange-hint": {
      backgroundImage: "none",
      textDecoration: "underline dotted #8c959f",
      textUnderlineOffset: "3px",
    },
    ".cm-lintRange-error": {
      backgroundImage: "none",
      textDecoration: "underline wavy #cf222e",
      textDecorationSkipInk: "none",
      textUnderlineOffset: "3px",
      backgroundColor: "#ffebe966",
    },
    ".cm-lintRange-warning": {
      backgroundImage: "none",
      textDecoration: "underline wavy #bf8700",
      textDecorationSkipInk: "none",
      textUnderlineOffset: "3px",
      backgroundColor: "#fff8c566",
    },
    ".cm-lintPoint:after": { borderBottomColor: "#cf222e" },
    ".cm-lintPoint-warning:after": { borderBottomColor: "#bf8700" },
    ".cm-tooltip": {
      fontFamily: UI_FONT,
      fontSize: "12.5px",
      backgroundColor: "#ffffff",
      border: "1px solid #d0d7de",
      borderRadius: "6px",
      boxShadow: "0 8px 24px rgba(140,149,159,0.25)",
      overflow: "hidden",
    },
    ".cm-tooltip-lint": { padding: "0" },
    ".cm-diagnostic": { padding: "6px 10px", borderLeftWidth: "3px" },
    ".cm-diagnostic-error": { borderLeftColor: "#cf222e" },
    ".cm-diagnostic-warning": { borderLeftColor: "#bf8700" },
    ".cm-diagnosticSource": { fontFamily: CODE_FONT, fontSize: "11px", color: "#57606a", opacity: "1" },
    ".cm-tooltip-autocomplete > ul": { fontFamily: CODE_FONT, fontSize: "12.5px", maxHeight: "16em" },
    ".cm-tooltip-autocomplete > ul > li": { padding: "2px 10px 2px 8px", lineHeight: "1.5" },
    // The stock icons are Unicode glyphs many system fonts lack; the detail column says enough.
    ".cm-completionIcon": { display: "none" },
    ".cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "#0969da", color: "#ffffff" },
    ".cm-completionDetail": { fontFamily: UI_FONT, fontStyle: "normal", color: "#57606a", marginLeft: "1em" },
    ".cm-tooltip-autocomplete > ul > li[aria-selected] .cm-completionDetail": { color: "#dbe9ff" },
    ".cm-completionMatchedText": { textDecoration: "none", fontWeight: "600" },
    ".cm-panels": { fontFamily: UI_FONT, fontSize: "12.5px", backgroundColor: "#f6f8fa", color: "#1f2328" },
    ".cm-panels-bottom": { borderTop: "1px solid #d0d7de" },
    ".cm-panels-top": { borderBottom: "1px solid #d0d7de" },
    ".cm-panel input, .cm-panel button": { fontFamily: UI_FONT, fontSize: "12.5px" },
    ".cm-searchMatch": { backgroundColor: "#fff1b8", outline: "1px solid #d4a72c80" },
    ".cm-searchMatch.cm-searchMatch-selected": { backgroundColor: "#ffd33d" },
    // Jinja inside MJML: a faint violet wash, delimiters and keywords in violet.
    ".cm-jinja": { backgroundColor: "#8250df12" },
    ".cm-jinja span": { color: "inherit", fontWeight: "inherit", fontStyle: "inherit" },
    ".cm-jinja-delim": { color: "#6639ba", fontWeight: "600" },
    ".cm-jinja-keyword": { color: "#6639ba", fontWeight: "600" },
    ".cm-jinja-expr": { color: "#953800" },
    ".cm-jinja-string": { color: "#0a3069" },
    ".cm-jinja-comment": { color: "#6e7781", fontStyle: "italic" },
  },
  { dark: false },
);

const highlightStyle = HighlightStyle.define([
  { tag: t.comment, color: "#6e7781", fontStyle: "italic" },
  { tag: [t.tagName], color: "#116329" },
  { tag: [t.angleBracket], color: "#57606a" },
  { tag: [t.attributeName, t.propertyName], color: "#0550ae" },
  { tag: [t.attributeValue, t.string, t.special(t.string)], color: "#0a3069" },
  { tag: [t.number, t.bool, t.null, t.atom], color: "#0550ae" },
  { tag: [t.keyword, t.operatorKeyword, t.modifier], color: "#cf222e" },
  { tag: [t.definition(t.variableName)], color: "#8250df", fontWeight: "600" },
  { tag: [t.variableName], color: "#953800" },
  { tag: [t.labelName, t.macroName, t.function(t.variableName)], color: "#8250df" },
  { tag: [t.typeName, t.className], color: "#953800" },
  { tag: [t.operator, t.punctuation, t.separator], color: "#57606a" },
  { tag: [t.brace, t.bracket, t.squareBracket, t.paren], color: "#57606a" },
  { tag: [t.processingInstruction, t.documentMeta, t.meta], color: "#6e7781" },
  { tag: t.character, color: "#0550ae" },
  { tag: t.invalid, color: "#cf222e" },
]);

// ---------------------------------------------------------------------------------------
// Host diagnostics: kept in a field (mapped through edits) so that the JSON linter, which
// replaces the lint state on each run, can merge them with its own.

const setHostDiagnostics = StateEffect.define();
const hostDiagnostics = StateField.define({
  create: () => [],
  update(list, tr) {
    for (const e of tr.effects) if (e.is(setHostDiagnostics)) return e.value;
    if (!tr.docChanged || !list.length) return list;
    return list.map((d) => {
      const from = tr.changes.mapPos(d.from, 1);
      return { ...d, from, to: Math.max(from, tr.changes.mapPos(d.to, -1)) };
    });
  },
});

/** End of the word/token that starts at `pos`, or one character (within the line). */
function wordEnd(state, pos) {
  const line = state.doc.lineAt(pos);
  const rest = state.sliceDoc(pos, Math.min(line.to, pos + 400));
  if (!rest.length) return pos;
  const m = /^<\/?[\w:-]+|^[\w$@-]+|^"(?:[^"\\]|\\.)*"?|^'(?:[^'\\]|\\.)*'?|^\{\{|^\{%|^\{#|^\}\}|^%\}|^#\}/.exec(rest);
  if (m) return pos + m[0].length;
  const cp = rest.codePointAt(0);
  return pos + (cp > 0xffff ? 2 : 1);
}

/** 1-based line and 1-based column in characters (Unicode scalar values) -> offset. */
function offsetOf(doc, line, column) {
  const l = doc.line(Math.min(Math.max(1, Math.floor(Number(line)) || 1), doc.lines));
  let chars = Math.max(1, Math.floor(Number(column)) || 1) - 1;
  let pos = l.from;
  const text = l.text;
  let i = 0;
  while (chars > 0 && i < text.length) {
    const cp = text.codePointAt(i);
    i += cp > 0xffff ? 2 : 1;
    chars--;
  }
  return pos + i;
}

function toDiagnostics(state, list) {
  const out = [];
  if (!list) return out;
  const items = Array.isArray(list) ? list : Array.from(list);
  for (const raw of items) {
    if (!raw) continue;
    const get = (k) => (raw instanceof Map ? raw.get(k) : raw[k]);
    const from = offsetOf(state.doc, get("line"), get("column"));
    const severity = get("severity") === "error" ? "error" : get("severity") === "info" ? "info" : "warning";
    const code = get("code");
    out.push({
      from,
      to: wordEnd(state, from),
      severity,
      message: String(get("message") ?? ""),
      source: code ? String(code) : undefined,
    });
  }
  return out;
}

function allDiagnostics(inst, state) {
  const host = state.field(hostDiagnostics, false) || [];
  return inst.language === "json" ? [...jsonDiagnostics(state), ...host] : host;
}

// ---------------------------------------------------------------------------------------
// Editor instances.

const instances = new Map();
let nextHandle = 1;

function languageExtensions(inst, language) {
  switch (language) {
    case "mjml":
      return [
        html({ autoCloseTags: false, matchClosingTags: true }),
        jinjaHighlighter,
        autocompletion({ override: [mjmlCompletions(inst), jinjaCompletions] }),
      ];
    case "json":
      return [
        json(),
        linter((view) => allDiagnostics(inst, view.state), { delay: 150 }),
        autocompletion({ override: [] }),
      ];
    case "ftl":
      return [ftlLanguage, autocompletion({ override: [] })];
    default:
      return [autocompletion({ override: [] })];
  }
}

function safeCall(fn, ...args) {
  if (typeof fn !== "function") return;
  try {
    fn(...args);
  } catch (e) {
    console.error("LetterpressEditor: host callback failed", e);
  }
}

// A message of a catalog changed from the preview (saved through the translators' path, not
// in this document): recorded in this editor's history so that undo and redo, shared with
// typing, put it back. The value: { key, locale, before, after } (text, or null for none).
const messageEdit = StateEffect.define();
const messageHistory = invertedEffects.of((tr) =>
  tr.effects
    .filter((e) => e.is(messageEdit))
    .map((e) => messageEdit.of({ ...e.value, before: e.value.after, after: e.value.before })),
);

function buildState(inst, doc, selection) {
  return EditorState.create({
    doc,
    selection,
    extensions: [
      Prec.highest(
        keymap.of([
          {
            key: "Mod-s",
            preventDefault: true,
            run: () => {
              safeCall(inst.onSave);
              return true;
            },
          },
        ]),
      ),
      basicSetup,
      messageHistory,
      keymap.of([indentWithTab]),
      EditorView.lineWrapping,
      lintGutter(),
      hostDiagnostics,
      theme,
      syntaxHighlighting(highlightStyle),
      inst.languageCompartment.of(languageExtensions(inst, inst.language)),
      EditorView.editorAttributes.of({ "data-letterpress-editor": String(inst.handle) }),
      EditorView.contentAttributes.of({
        spellcheck: "false",
        autocorrect: "off",
        autocapitalize: "off",
        translate: "no",
        "aria-label": "Source editor",
      }),
      EditorView.updateListener.of((update) => {
        for (const tr of update.transactions) {
          if (!tr.isUserEvent("undo") && !tr.isUserEvent("redo")) continue;
          for (const e of tr.effects) {
            if (e.is(messageEdit)) safeCall(inst.onMessage, e.value.key, e.value.locale, e.value.after);
          }
        }
        const changed = update.transactions.some((tr) => tr.docChanged);
        if (changed) safeCall(inst.onChange, update.state.doc.toString());
        else if (update.selectionSet) {
          // The cursor moved without typing (click, arrows, goto): the host outlines the
          // element there in the preview.
          const head = update.state.selection.main.head;
          const line = update.state.doc.lineAt(head);
          safeCall(inst.onCursor, line.number, head - line.from + 1);
        }
      }),
    ],
  });
}

function get(handle) {
  const inst = instances.get(Number(handle));
  if (!inst) console.warn(`LetterpressEditor: no editor with handle ${handle}`);
  return inst;
}

function optionOf(options, key) {
  if (!options) return undefined;
  return options instanceof Map ? options.get(key) : options[key];
}

function create(parent, options) {
  if (!parent || typeof parent.appendChild !== "function") throw new TypeError("LetterpressEditor.create: parent must be an element");
  const handle = nextHandle++;
  const inst = {
    handle,
    view: null,
    language: normalizeLanguage(optionOf(options, "language")),
    schema: normalizeSchema(optionOf(options, "schema")),
    onChange: optionOf(options, "onChange"),
    onSave: optionOf(options, "onSave"),
    onCursor: optionOf(options, "onCursor"),
    onMessage: optionOf(options, "onMessage"),
    languageCompartment: new Compartment(),
  };
  const doc = optionOf(options, "doc");
  inst.view = new EditorView({ state: buildState(inst, doc == null ? "" : String(doc)), parent });
  instances.set(handle, inst);
  return handle;
}

function setDoc(handle, text) {
  const inst = get(handle);
  if (!inst) return;
  const view = inst.view;
  const doc = text == null ? "" : String(text);
  if (doc === view.state.doc.toString()) return;
  // A new state: fresh undo history (undo must not cross a reload), no onChange.
  const head = Math.min(view.state.selection.main.head, doc.length);
  const scrollTop = view.scrollDOM.scrollTop;
  const hadFocus = view.hasFocus;
  view.setState(buildState(inst, doc, EditorSelection.cursor(head)));
  view.scrollDOM.scrollTop = scrollTop;
  if (hadFocus) view.focus();
}

function getDoc(handle) {
  const inst = get(handle);
  return inst ? inst.view.state.doc.toString() : "";
}

function setLanguage(handle, language) {
  const inst = get(handle);
  if (!inst) return;
  const lang = normalizeLanguage(language);
  if (lang === inst.language) return;
  inst.language = lang;
  const view = inst.view;
  view.dispatch({ effects: inst.languageCompartment.reconfigure(languageExtensions(inst, lang)) });
  view.dispatch(lintSetDiagnostics(view.state, allDiagnostics(inst, view.state)));
}

function setSchema(handle, schema) {
  const inst = get(handle);
  if (inst) inst.schema = normalizeSchema(schema);
}

function setDiagnostics(handle, list) {
  const inst = get(handle);
  if (!inst) return;
  const view = inst.view;
  view.dispatch({ effects: setHostDiagnostics.of(toDiagnostics(view.state, list)) });
  view.dispatch(lintSetDiagnostics(view.state, allDiagnostics(inst, view.state)));
}

function goto(handle, line, column) {
  const inst = reveal(handle, line, column);
  if (inst) inst.view.focus();
}

/// Moves the cursor and scrolls it to the centre without taking the focus (a selection in
/// the preview shows its source; typing stays where it was).
function reveal(handle, line, column) {
  const inst = get(handle);
  if (!inst) return null;
  const view = inst.view;
  const pos = offsetOf(view.state.doc, line, column);
  view.dispatch({
    selection: EditorSelection.cursor(pos),
    effects: EditorView.scrollIntoView(pos, { y: "center" }),
  });
  return inst;
}

function destroy(handle) {
  const inst = instances.get(Number(handle));
  if (!inst) return;
  instances.delete(Number(handle));
  inst.view.destroy();
}

// Side-by-side comparison (read-only): left and right documents with changed lines and words
// highlighted and long unchanged stretches folded. Used for conflicts and version diffs.
const comparisons = new Map();

function compare(parent, left, right, language) {
  if (!parent || typeof parent.appendChild !== "function") throw new TypeError("LetterpressEditor.compare: parent must be an element");
  const handle = nextHandle++;
  const lang = normalizeLanguage(language);
  const pseudo = { schema: normalizeSchema(null) };
  const side = (doc) => ({
    doc: doc == null ? "" : String(doc),
    extensions: [
      basicSetup,
      EditorView.lineWrapping,
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
      theme,
      syntaxHighlighting(highlightStyle),
      languageExtensions(pseudo, lang === "json" ? "text" : lang),
    ],
  });
  const view = new MergeView({
    a: side(left),
    b: side(right),
    parent,
    highlightChanges: true,
    gutter: true,
    collapseUnchanged: { margin: 3, minSize: 6 },
  });
  comparisons.set(handle, view);
  return handle;
}

function destroyCompare(handle) {
  const view = comparisons.get(Number(handle));
  if (!view) return;
  comparisons.delete(Number(handle));
  view.destroy();
}

/// Applies one edit computed by the studio (a visual action) as one transaction: one undo
/// step, shared with typing; the host hears of it through onChange like a keystroke.
function applyEdit(handle, fromLine, fromColumn, toLine, toColumn, insert) {
  return applyEdits(handle, [{ from_line: fromLine, from_column: fromColumn, to_line: toLine, to_column: toColumn, insert }]);
}

/// Applies several edits of one visual action (positions in the current document, not
/// overlapping) as one transaction and one undo step of its own.
function applyEdits(handle, edits) {
  const inst = get(handle);
  if (!inst) return false;
  const view = inst.view;
  const field = (e, k) => (e instanceof Map ? e.get(k) : e[k]);
  const changes = [];
  for (const e of Array.from(edits || [])) {
    const from = offsetOf(view.state.doc, field(e, "from_line"), field(e, "from_column"));
    const to = offsetOf(view.state.doc, field(e, "to_line"), field(e, "to_column"));
    if (to < from) return false;
    changes.push({ from, to, insert: String(field(e, "insert")) });
  }
  if (!changes.length) return true;
  view.dispatch({ changes, userEvent: "input.visual", scrollIntoView: true, annotations: isolateHistory.of("full") });
  return true;
}

/// Records a catalog message the preview changed (already saved) as one undo step of this
/// editor; undo and redo call the host's onMessage(key, locale, text or null).
function recordMessage(handle, key, locale, before, after) {
  const inst = get(handle);
  if (!inst) return false;
  const value = { key: String(key), locale: String(locale), before: before == null ? null : String(before), after: after == null ? null : String(after) };
  inst.view.dispatch({ effects: messageEdit.of(value), annotations: isolateHistory.of("full") });
  return true;
}

const api = Object.freeze({ create, setDoc, getDoc, setLanguage, setSchema, setDiagnostics, goto, reveal, applyEdit, applyEdits, recordMessage, destroy, compare, destroyCompare });
window.LetterpressEditor = api;
window.LetterpressPreview = Object.freeze({
  show: preview.show,
  current: preview.current,
  markerAt: preview.markerAt,
  count: preview.count,
  ancestry: preview.ancestry,
  messageAt: preview.messageAt,
  elementBoxAt: preview.elementBoxAt,
  typeInPlace: preview.typeInPlace,
  centreOf: preview.centreOf,
  outline: preview.outline,
  hatch: preview.hatch,
  scrollBy: preview.scrollBy,
  boxOf: preview.boxOf,
  dropZone: preview.dropZone,
  frames: preview.frames,
});
