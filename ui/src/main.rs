//! Letterpress desktop UI. `core` holds the project, the documents, the preview and the
//! diagnostics; each screen (edit, translate, history, sync) takes the core from the Leptos
//! context, keeps its own state (also in the context) and re-reads what it shows when the
//! core's `project_epoch` moves. The screens import the core, never the other way round.

mod core;
mod edit;
mod history;
mod ipc;
mod preferences;
mod sidebar;
mod stats;
mod sync;
mod translate;
mod welcome;

use crate::core::{Core, Mode};
use history::HistoryUi;
use leptos::prelude::*;
use leptos::task::spawn_local;
use letterpress_protocol::MenuCommand;
use letterpress_protocol::commands::{MenuChosen, SyncProgressed};
use sidebar::Sidebar;
use std::collections::BTreeSet;
use sync::SyncUi;
use translate::{Translations, TranslationsScreen};

fn main() {
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let core = Core::new();
    let history = HistoryUi::new();
    let translations = Translations::new();
    // The Sync screen shows what is live, as History reads it.
    let sync = SyncUi::new(history.published);
    provide_context(core);
    provide_context(history);
    provide_context(translations);
    provide_context(sync);
    core.start();
    spawn_local(async move {
        ipc::listen::<MenuChosen>(move |command| match command {
            MenuCommand::Save if core.mode.get_untracked() == Mode::Translate => {
                translations.save(core)
            }
            command => core.on_menu(command),
        })
        .await;
        ipc::listen::<SyncProgressed>(move |progress| sync.on_progress(progress)).await;
    });

    // The window title carries the project name and a dirty marker.
    Effect::new(move |shown: Option<String>| {
        let name = core
            .snapshot
            .with(|s| s.as_ref().map(|s| s.name.clone()).unwrap_or_default());
        let marker = if core.dirty.with(BTreeSet::is_empty) {
            ""
        } else {
            "• "
        };
        let title = format!("{marker}{name} — Letterpress");
        if shown.as_deref() != Some(title.as_str()) {
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                doc.set_title(&title);
            }
            ipc::set_window_title(&title);
        }
        title
    });

    view! {
        {move || core.welcome.get().then(|| view! { <welcome::Welcome /> })}
        <preferences::PreferencesDialog />
        <div class="app" class:hidden=move || core.welcome.get()>
            <Sidebar />
            <main class="stage">
            <div class="mode-bar">
                <span class="segmented" data-test="mode-switch">
                    <button data-test="mode-edit" class:on=move || core.mode.get() == Mode::Edit
                        on:click=move |_| core.mode.set(Mode::Edit)>"Edit"</button>
                    <button data-test="mode-translate" class:on=move || core.mode.get() == Mode::Translate
                        on:click=move |_| core.mode.set(Mode::Translate)>"Translate"</button>
                    <button data-test="mode-history" class:on=move || core.mode.get() == Mode::History
                        on:click=move |_| core.mode.set(Mode::History)>"History"</button>
                    <button data-test="mode-sync" class:on=move || core.mode.get() == Mode::Sync
                        on:click=move |_| core.mode.set(Mode::Sync)>"Sync"</button>
                    <button data-test="mode-stats" class:on=move || core.mode.get() == Mode::Stats
                        on:click=move |_| core.mode.set(Mode::Stats)>"Stats"</button>
                </span>
            </div>
            <edit::EditScreen />
            {move || (core.mode.get() == Mode::Translate).then(|| view! { <TranslationsScreen /> })}
            <div class="mode-history" class:hidden=move || core.mode.get() != Mode::History>
                <history::HistoryScreen />
            </div>
            <div class="mode-sync" class:hidden=move || core.mode.get() != Mode::Sync>
                <sync::SyncScreen />
            </div>
            {move || (core.mode.get() == Mode::Stats).then(|| view! { <stats::StatsScreen /> })}
            </main>
        </div>
    }
}
