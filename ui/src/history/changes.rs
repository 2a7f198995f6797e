//! The sidebar's "Changes" panel: start versioning, what changed since the last version (per
//! template), and the dialogs it opens — save a version, and the author asked once.

use crate::core::Core;
use crate::history::HistoryUi;
use crate::history::{HistoryMessages, change_word};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// What changed since the last version, per template; "Start versioning" when unversioned.
#[component]
pub fn ChangesPanel(core: Core) -> impl IntoView {
    let h = expect_context::<HistoryUi>();
    let groups = move || {
        h.status
            .with(|s| s.as_ref().map(|s| s.groups.clone()).unwrap_or_default())
    };
    let head = move || {
        h.status.with(|s| {
            s.as_ref()
                .and_then(|s| s.head.as_ref())
                .map(|v| format!("{} “{}”", v.short_id, v.summary))
        })
    };
    let has_changes = move || {
        h.status
            .with(|s| s.as_ref().is_some_and(|s| !s.files.is_empty()))
    };
    view! {
        <section class="changes" data-test="changes">
            <h2>"Changes since last version"</h2>
            {move || if h.unversioned.get() {
                view! {
                    <div class="changes-empty">
                        <p>"No versions yet."</p>
                        <button data-test="start-versioning" on:click=move |_| h.start_versioning(core, false)>"Start versioning"</button>
                        <crate::history::NestedRepositoryNote core=core />
                    </div>
                }.into_any()
            } else {
                view! {
                    <div>
                        {move || (!has_changes() && h.status.with(Option::is_some)).then(|| view! {
                            <p class="muted changes-empty" data-test="no-changes">
                                {move || match head() {
                                    Some(v) => format!("Nothing changed since {v}."),
                                    None => "Nothing to save yet.".to_owned(),
                                }}
                            </p>
                        })}
                        <ul class="change-groups">
                            {move || groups().into_iter().map(|g| {
                                let title = g.template.clone().unwrap_or_else(|| "Project files".into());
                                // Long lists (a first version has every file) start folded.
                                let open = g.files.len() <= 4;
                                view! {
                                    <li class="change-group" data-test=format!("changes-{}", g.template.clone().unwrap_or_else(|| "project".into()))>
                                        <details open=open>
                                        <summary class="group-title">{format!("{title} ({})", g.files.len())}</summary>
                                        <ul>
                                            {g.files.into_iter().map(|f| {
                                                let path = f.path.clone();
                                                let name = match &f.template {
                                                    Some(t) => f.path.strip_prefix(&format!("templates/{t}/")).unwrap_or(&f.path).to_owned(),
                                                    None => f.path.clone(),
                                                };
                                                view! {
                                                    <li class=format!("change {}", change_word(f.kind))>
                                                        <a href="#" title=f.path.clone() on:click=move |ev| {
                                                            ev.prevent_default();
                                                            h.show_file(core, &path);
                                                        }>
                                                            <span class="kind">{change_word(f.kind)}</span>" "{name}
                                                        </a>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                        </details>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <div class="changes-actions">
                            <button data-test="save-version-open" disabled=move || !has_changes()
                                on:click=move |_| h.open_save_form()>"Save version…"</button>
                        </div>
                    </div>
                }.into_any()
            }}
            <SaveDialog core=core />
            <AuthorDialog core=core />
        </section>
    }
}

/// Save a version: choose files, write a message.
#[component]
fn SaveDialog(core: Core) -> impl IntoView {
    let h = expect_context::<HistoryUi>();
    let files = move || {
        h.status
            .with(|s| s.as_ref().map(|s| s.files.clone()).unwrap_or_default())
    };
    let merging = move || h.status.with(|s| s.as_ref().is_some_and(|s| s.merging));
    let unsaved = move || core.dirty.get();
    view! {
        {move || h.save_open.get().then(|| view! {
            <div class="dialog-backdrop">
                <div class="dialog" data-test="save-dialog">
                    <h3>"Save version"</h3>
                    <HistoryMessages core=core />
                    {move || (!unsaved().is_empty()).then(|| view! {
                        <div class="warning">
                            {format!("Unsaved edits in the editor are not part of a version: {}.", unsaved().into_iter().collect::<Vec<_>>().join(", "))}
                            " "<button on:click=move |_| core.save_all()>"Save them"</button>
                        </div>
                    })}
                    {move || merging().then(|| view! {
                        <p class="muted">"This version concludes the merge: every changed file is saved together."</p>
                    })}
                    <div class="choose">
                        <button class="link" on:click=move |_| {
                            let all: BTreeSet<String> = files().into_iter().map(|f| f.path).collect();
                            h.save_chosen.set(all);
                        }>"All"</button>
                        <button class="link" on:click=move |_| h.save_chosen.set(BTreeSet::new())>"None"</button>
                    </div>
                    <ul class="save-files">
                        {move || files().into_iter().map(|f| {
                            let path = f.path.clone();
                            let checked = f.path.clone();
                            view! {
                                <li>
                                    <label>
                                        <input type="checkbox" data-test="save-file" disabled=merging
                                            prop:checked=move || h.save_chosen.with(|c| c.contains(&checked))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                h.save_chosen.update(|c| {
                                                    if on { c.insert(path.clone()); } else { c.remove(&path); }
                                                });
                                            } />
                                        <span class="kind">{change_word(f.kind)}</span>" "{f.path.clone()}
                                    </label>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <textarea data-test="save-message" placeholder="What changed, and why (e.g. “Welcome: shorter greeting”)"
                        prop:value=move || h.save_message.get()
                        on:input=move |ev| h.save_message.set(event_target_value(&ev))></textarea>
                    <div class="row">
                        {move || h.author.get().map(|a| view! {
                            <span class="muted">{format!("as {} <{}>", a.name, a.email)}</span>
                        })}
                        <button data-test="save-version" class="primary" on:click=move |_| h.save_version(core)>"Save version"</button>
                        <button on:click=move |_| h.save_open.set(false)>"Cancel"</button>
                    </div>
                </div>
            </div>
        })}
    }
}

/// Who saves versions: asked once, remembered on this computer.
#[component]
fn AuthorDialog(core: Core) -> impl IntoView {
    let h = expect_context::<HistoryUi>();
    view! {
        {move || h.author_form.get().map(|_| view! {
            <div class="dialog-backdrop top">
                <div class="dialog" data-test="author-dialog">
                    <h3>"Who is saving?"</h3>
                    <p class="muted">"Versions and publishes record your name and email. Asked once; remembered on this computer."</p>
                    <HistoryMessages core=core />
                    <label>"Name "
                        <input data-test="author-name" prop:value=move || h.author_name.get()
                            on:input=move |ev| h.author_name.set(event_target_value(&ev)) />
                    </label>
                    <label>"Email "
                        <input data-test="author-email" type="email" prop:value=move || h.author_email.get()
                            on:input=move |ev| h.author_email.set(event_target_value(&ev)) />
                    </label>
                    <div class="row">
                        <button data-test="author-save" class="primary" on:click=move |_| h.store_author(core)>"Continue"</button>
                        <button on:click=move |_| h.author_form.set(None)>"Cancel"</button>
                    </div>
                </div>
            </div>
        })}
    }
}
