// Fidelity check: every sample template × locale × fixture is rendered by Letterpress; the
// MJML its Jinja layer produced is rendered again by the reference implementation (npm mjml),
// and the visible text of both HTML outputs is compared. Differences are printed; any
// difference fails the check.
//
// Usage: node scripts/fidelity.mjs path/to/letterpress [project-dir]

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const mjml2html = require("mjml");

const [bin, projectArg] = process.argv.slice(2);
if (!bin) {
  console.error("usage: node scripts/fidelity.mjs <letterpress binary> [project dir]");
  process.exit(2);
}
const project = path.resolve(projectArg ?? path.join(path.dirname(new URL(import.meta.url).pathname), ".."));

// Exit code 1 means "the templates have errors" and still prints JSON; 2 is a real failure.
function letterpress(...args) {
  const r = spawnSync(bin, ["--project", project, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`letterpress ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  }
  return r.stdout;
}

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

// What a reader sees: no head, styles, comments, conditional comments or tags; entities decoded;
// whitespace collapsed. Applied identically to both outputs.
export function visibleText(html) {
  return html
    .replace(/<head[\s\S]*?<\/head>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<(style|script)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
      if (e[0] === "#") {
        const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return String.fromCodePoint(code);
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[\s\u00a0]+/g, " ")
    .trim();
}

function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const ctx = (s) => JSON.stringify(s.slice(Math.max(0, i - 40), i + 60));
  return `at char ${i}:\n      letterpress: ${ctx(a)}\n      mjml:        ${ctx(b)}`;
}

const listing = JSON.parse(letterpress("list", "--format", "json"));
const locales = listing.locales;
const templates = listing.templates;

let compared = 0;
let differing = 0;
for (const { id, fixtures } of templates) {
  for (const locale of locales) {
    for (const fixture of fixtures) {
      const out = JSON.parse(letterpress("render", id, "--locale", locale, "--data", fixture, "--part", "json"));
      const label = `${id} ${locale} ${fixture}`;
      if (out.html === "") {
        console.log(`FAIL ${label}: letterpress reported errors`);
        compared++;
        differing++;
        continue;
      }
      let reference = mjml2html(out.mjml, { validationLevel: "soft", keepComments: false });
      if (reference && typeof reference.then === "function") reference = await reference;
      const ours = visibleText(out.html);
      const theirs = visibleText(reference.html);
      compared++;
      if (ours !== theirs) {
        differing++;
        console.log(`DIFF ${label} ${firstDifference(ours, theirs)}`);
      }
    }
  }
}
const same = compared - differing;
console.log(`fidelity: ${compared} renders compared with npm mjml ${require("mjml/package.json").version}`);
console.log(`fidelity: ${same} passed, ${differing} failed`);
process.exit(differing === 0 && compared > 0 ? 0 : 1);
