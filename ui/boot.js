// Loads the Leptos UI (wasm). A separate file: the CSP allows no inline scripts.
// A failure to start is shown in the window instead of leaving it blank.
import init from "./letterpress_ui.js";

function showFailure(what) {
  const box = document.createElement("pre");
  box.className = "boot-failure";
  box.textContent = `Letterpress could not start: ${what}`;
  document.body.appendChild(box);
}

window.addEventListener("error", (e) => showFailure(e.message));
window.addEventListener("unhandledrejection", (e) => showFailure(String(e.reason)));
init().catch((e) => showFailure(String(e)));
