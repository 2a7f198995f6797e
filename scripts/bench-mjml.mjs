// Side-by-side speed: npm mjml (warm, in this one node process) against Letterpress, on the
// MJML that Letterpress's Jinja layer produces for each template of a project (default locale,
// default fixture). Timings are reported, never asserted.
//
// Usage: node scripts/bench-mjml.mjs <letterpress binary> [--iterations N] [--warmup N]
//                                    [--project DIR] [--json FILE]
//
// Letterpress is timed by `letterpress bench mjml FILES --iterations N`: the engine on the
// standalone file (lint + mrml + the text part), the same work `letterpress render file.mjml`
// does. npm mjml produces HTML only (no text part); its options are its defaults
// (validationLevel "soft", no minify/beautify, comments kept), like Letterpress's.

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

const require = createRequire(import.meta.url);
const mjml2html = require("mjml");
const mjmlVersion = require("mjml/package.json").version;

function parseArgs(argv) {
  const opts = { iterations: 100, warmup: 20, project: null, json: null, bin: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--iterations") opts.iterations = Number(value());
    else if (a === "--warmup") opts.warmup = Number(value());
    else if (a === "--project") opts.project = value();
    else if (a === "--json") opts.json = value();
    else if (a.startsWith("--")) usage(`unknown option ${a}`);
    else if (!opts.bin) opts.bin = a;
    else usage(`unexpected argument ${a}`);
  }
  if (!opts.bin) usage("missing the letterpress binary");
  if (!(opts.iterations >= 1) || !(opts.warmup >= 0)) usage("bad --iterations/--warmup");
  return opts;
}

function usage(msg) {
  console.error(`error: ${msg}`);
  console.error(
    "usage: node scripts/bench-mjml.mjs <letterpress binary> [--iterations N] [--warmup N] [--project DIR] [--json FILE]",
  );
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const project = path.resolve(
  opts.project ?? path.join(path.dirname(new URL(import.meta.url).pathname), ".."),
);

function letterpress(...args) {
  const r = spawnSync(opts.bin, ["--project", project, ...args], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) {
    throw new Error(`letterpress ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  }
  return r.stdout;
}

async function render(source) {
  let out = mjml2html(source, { validationLevel: "soft" });
  if (out && typeof out.then === "function") out = await out;
  return out;
}

// 1. The post-Jinja MJML of every template, default locale and fixture, into a temp dir.
const listing = JSON.parse(letterpress("list", "--format", "json"));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "letterpress-bench-mjml-"));
const files = [];
for (const { id } of listing.templates) {
  const file = path.join(dir, `${id}.mjml`);
  letterpress("render", id, "--part", "mjml", "--output", file);
  files.push({ id, file, source: fs.readFileSync(file, "utf8") });
}
if (files.length === 0) {
  console.error(`no templates in ${project}`);
  process.exit(2);
}

// 2. npm mjml, warm: warm every file up first (JIT, caches), then time each file.
for (const f of files) {
  const first = await render(f.source);
  if (!first.html) throw new Error(`mjml produced no HTML for ${f.id}`);
  f.mjmlErrors = (first.errors ?? []).length;
  for (let i = 0; i < opts.warmup; i++) await render(f.source);
}
for (const f of files) {
  const started = performance.now();
  for (let i = 0; i < opts.iterations; i++) await render(f.source);
  f.mjmlMs = (performance.now() - started) / opts.iterations;
}

// 3. Letterpress on the same files.
const lp = JSON.parse(
  letterpress(
    "bench",
    "mjml",
    ...files.map((f) => f.file),
    "--iterations",
    String(opts.iterations),
    "--warmup",
    String(opts.warmup),
    "--format",
    "json",
  ),
);
for (const [i, t] of lp.files.entries()) Object.assign(files[i], { lp: t });

// 4. The table.
const pad = (s, n) => String(s).padEnd(n);
const num = (x, n, d = 3) => x.toFixed(d).padStart(n);
const geomean = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
console.log(
  `npm mjml ${mjmlVersion} (node ${process.versions.node}, warm, one process) vs letterpress engine; ` +
    `mean of ${opts.iterations} renders per file after ${opts.warmup} warm-up`,
);
console.log(
  `${pad("template", 18)} ${"KB".padStart(5)} ${"mjml ms".padStart(9)} ${"letterpress ms".padStart(15)} ${"ratio".padStart(7)}` +
    `   ${"text part ms".padStart(12)} ${"MJML→HTML ms".padStart(12)} ${"ratio".padStart(7)}`,
);
for (const f of files) {
  f.ratio = f.mjmlMs / f.lp.engine_ms;
  f.htmlRatio = f.mjmlMs / Math.max(f.lp.html_ms, 1e-6);
  console.log(
    `${pad(f.id, 18)} ${num(f.source.length / 1024, 5, 1)} ${num(f.mjmlMs, 9)} ${num(f.lp.engine_ms, 15)} ${num(f.ratio, 6, 1)}×` +
      `   ${num(f.lp.text_ms, 12)} ${num(f.lp.html_ms, 12)} ${num(f.htmlRatio, 6, 1)}×`,
  );
}
const ratio = geomean(files.map((f) => f.ratio));
const htmlRatio = geomean(files.map((f) => f.htmlRatio));
console.log(`geometric mean, same work (MJML → HTML), mjml / letterpress: ${htmlRatio.toFixed(1)}×  (target ≥ 30×)`);
console.log(`geometric mean, letterpress doing more (lint + MJML → HTML + text part): ${ratio.toFixed(1)}×`);
console.log(
  "letterpress ms = lint + mrml parse/render + text part; npm mjml makes no text part. " +
    "MJML → HTML ms = Engine::render_mjml alone, the same work as mjml.",
);

if (opts.json) {
  const summary = {
    mjml_version: mjmlVersion,
    node: process.versions.node,
    iterations: opts.iterations,
    warmup: opts.warmup,
    geomean_ratio: ratio,
    geomean_ratio_mjml_to_html: htmlRatio,
    templates: files.map((f) => ({
      id: f.id,
      mjml_bytes: f.source.length,
      mjml_ms: f.mjmlMs,
      letterpress_ms: f.lp.engine_ms,
      letterpress_text_ms: f.lp.text_ms,
      letterpress_lint_ms: f.lp.lint_ms,
      letterpress_html_ms: f.lp.html_ms,
      ratio: f.ratio,
    })),
  };
  fs.writeFileSync(opts.json, JSON.stringify(summary, null, 2) + "\n");
}
fs.rmSync(dir, { recursive: true, force: true });
