// Bundles the CodeMirror editor (ui/editor/index.js) into one self-contained, minified IIFE:
// ui/dist/editor.js, which defines window.LetterpressEditor. Run: npm run build:editor
import { build } from "esbuild";
import { mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "..", "dist", "editor.js");
mkdirSync(dirname(outfile), { recursive: true });

await build({
  entryPoints: [join(here, "index.js")],
  outfile,
  bundle: true,
  format: "iife",
  platform: "browser",
  // Tauri's webviews: WebKitGTK / WKWebView (Safari 15+), WebView2 (Chromium).
  target: ["es2020", "safari15", "chrome100"],
  minify: true,
  legalComments: "eof",
  sourcemap: false,
  charset: "utf8",
  logLevel: "warning",
});

console.log(`editor bundle: ${outfile} (${(statSync(outfile).size / 1024).toFixed(1)} KiB)`);
