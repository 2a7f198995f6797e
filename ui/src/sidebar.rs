//! The project sidebar: projects, templates with their fixtures, layouts, partials.

use crate::core::*;
use crate::history::HistoryUi;
use leptos::prelude::*;
use letterpress_protocol::commands::{
    ChooseProject, NewProjectFromSample, OpenProject, ResetSample,
};
use letterpress_protocol::*;

#[component]
pub fn Sidebar() -> impl IntoView {
    let core = expect_context::<Core>();
    let history = expect_context::<HistoryUi>();
    // The filter above the list: templates whose id or description holds the text.
    let filter = RwSignal::new(String::new());
    let all_templates = move || {
        core.snapshot
            .with(|s| s.as_ref().map(|s| s.templates.len()).unwrap_or_default())
    };
    let templates = move || {
        let wanted = filter.get().trim().to_lowercase();
        core.snapshot.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.templates
                        .iter()
                        .filter(|t| {
                            wanted.is_empty()
                                || t.id.to_lowercase().contains(&wanted)
                                || t.description.to_lowercase().contains(&wanted)
                        })
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let files = move |f: fn(&ProjectSnapshot) -> &Vec<String>| {
        core.snapshot
            .with(|s| s.as_ref().map(|s| f(s).clone()).unwrap_or_default())
    };
    let file_link = move |path: String| {
        let label = path.rsplit('/').next().unwrap_or(&path).to_owned();
        let p = path.clone();
        view! {
            <li class:active=move || core.doc_path.get() == p>
                <a href="#" on:click=move |ev| { ev.prevent_default(); core.open(&path, None); }>{label}</a>
            </li>
        }
    };
    view! {
        <nav class="sidebar">
            <h1>{move || core.snapshot.with(|s| s.as_ref().map(|s| s.name.clone()).unwrap_or_else(|| "Letterpress".into()))}</h1>
            <div class="project-actions">
                <button data-test="open-project" on:click=move |_| core.switch_project(ChooseProject {})>"Open…"</button>
                <button data-test="new-project" on:click=move |_| core.switch_project(NewProjectFromSample {})>"New from sample…"</button>
                <button data-test="open-preferences" on:click=move |_| core.preferences_open.set(true)>"Preferences…"</button>
            </div>
            // The sample copy: a fresh one on request (after confirmation).
            {move || core.is_sample_copy().then(|| view! {
                <div class="sample-note" data-test="sample-note">
                    "The sample project (your copy). "
                    {move || if core.confirm_reset_sample.get() {
                        view! {
                            <span role="group" aria-label="Reset the sample">
                                "Replace it and its versions with a fresh copy? "
                                <button data-test="reset-sample-yes" on:click=move |_| core.switch_project(ResetSample {})>"Reset"</button>
                                <button on:click=move |_| core.confirm_reset_sample.set(false)>"Cancel"</button>
                            </span>
                        }.into_any()
                    } else {
                        view! {
                            <button class="link" data-test="reset-sample" on:click=move |_| core.confirm_reset_sample.set(true)>"Reset sample…"</button>
                        }.into_any()
                    }}
                </div>
            })}
            <details class="recent">
                <summary>"Recent projects"</summary>
                <ul>
                    {move || core.recent.get().into_iter().map(|r| {
                        let path = r.path.clone();
                        view! {
                            <li><a href="#" title=r.path.clone() on:click=move |ev| {
                                ev.prevent_default();
                                core.switch_project(OpenProject { path: Some(path.clone()) });
                            }>{r.name.clone()}</a></li>
                        }
                    }).collect_view()}
                </ul>
            </details>
            <crate::history::ChangesPanel core=core />
            <h2>"Templates"</h2>
            <input type="search" class="template-filter" data-test="template-filter"
                aria-label="Filter templates" placeholder="Filter templates"
                prop:value=move || filter.get()
                on:input=move |ev| filter.set(event_target_value(&ev))
                on:keydown=move |ev| if ev.key() == "Escape" { filter.set(String::new()) } />
            {move || {
                let shown = templates().len();
                let all = all_templates();
                (shown < all).then(|| view! {
                    <p class="muted filter-count" data-test="filter-count" aria-live="polite">{format!("{shown} of {all} templates")}</p>
                })
            }}
            <div class="template-form">
                <input data-test="template-name" placeholder="new-template-name"
                    prop:value=move || core.new_name.get()
                    on:input=move |ev| core.new_name.set(event_target_value(&ev)) />
                <div class="template-actions">
                    <button data-test="create-template" on:click=move |_| core.create_template()>"New"</button>
                    <button data-test="duplicate-template" on:click=move |_| core.duplicate_template()>"Duplicate"</button>
                    <button data-test="rename-template" on:click=move |_| core.rename_template()>"Rename"</button>
                    <button data-test="delete-template" on:click=move |_| core.confirm_delete.set(Some(core.template.get_untracked()))>"Delete"</button>
                </div>
                {move || core.confirm_delete.get().map(|id| {
                    let target = id.clone();
                    view! {
                        <div class="confirm" data-test="confirm-delete">
                            <span>{format!("Delete {id} and all its files?")}</span>
                            <button data-test="confirm-delete-yes" on:click=move |_| core.delete_template(target.clone())>"Delete"</button>
                            <button on:click=move |_| core.confirm_delete.set(None)>"Cancel"</button>
                        </div>
                    }
                })}
            </div>
            <ul class="templates">
                <For each=templates key=|t| (t.id.clone(), t.fixtures.clone(), t.overrides.clone(), t.variants.clone()) children=move |t| {
                    let id = t.id.clone();
                    let id_active = t.id.clone();
                    let fixtures = t.fixtures.clone();
                    let overrides = t.overrides.clone();
                    let variants: Vec<_> = t.variants.iter().skip(1).cloned().collect();
                    let vid = t.id.clone();
                    let tid = t.id.clone();
                    let oid = t.id.clone();
                    view! {
                        <li class="template" class:active=move || core.template.get() == id_active data-test=format!("template-{}", t.id)>
                            <a href="#" title=t.description.clone() on:click=move |ev| { ev.prevent_default(); core.select_template(&id); }>
                                {t.id.clone()}
                                {let changed = t.id.clone(); move || history.template_changed(&changed).then(|| view! {
                                    <span class="changed-dot" data-test="changed" title="changed since the last version">" ●"</span>
                                })}
                            </a>
                            <ul class="fixtures">
                                {fixtures.into_iter().map(|f| {
                                    let path = format!("templates/{tid}/fixtures/{f}.json");
                                    let fname = f.clone();
                                    let tid2 = tid.clone();
                                    view! {
                                        <li><a href="#" on:click=move |ev| {
                                            ev.prevent_default();
                                            core.template.set(tid2.clone());
                                            core.fixture.set(fname.clone());
                                            core.open(&path, None);
                                        }>{format!("{f}.json")}</a></li>
                                    }
                                }).collect_view()}
                            </ul>
                            // Per-locale body overrides: this locale renders its own body.
                            <ul class="overrides">
                                {overrides.into_iter().map(|locale| {
                                    let path = format!("templates/{oid}/body.{locale}.mjml");
                                    let p = path.clone();
                                    let (tid3, l) = (oid.clone(), locale.clone());
                                    view! {
                                        <li class="override" class:active=move || core.doc_path.get() == p
                                            data-test=format!("override-{oid}-{locale}")>
                                            <a href="#" title=format!("{locale} uses its own body instead of body.mjml") on:click=move |ev| {
                                                ev.prevent_default();
                                                core.template.set(tid3.clone());
                                                core.locale.set(l.clone());
                                                core.open(&path, None);
                                            }>{format!("body.{locale}.mjml")}<span class="override-badge">{format!("{locale} override")}</span></a>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            // A/B variants: a click previews the variant (and opens its body).
                            <ul class="variants">
                                {variants.into_iter().map(|v| {
                                    let name = v.name.clone();
                                    let active_name = v.name.clone();
                                    let active_template = vid.clone();
                                    let template = vid.clone();
                                    let body = v.body.clone();
                                    let label = match &v.body {
                                        Some(body) => body.rsplit('/').next().unwrap_or(body).to_owned(),
                                        None => format!("variant {}", v.name),
                                    };
                                    let what = if v.changes.is_empty() { String::new() } else { v.changes.join(", ") };
                                    view! {
                                        <li class="variant" data-test=format!("variant-{}-{}", vid, v.name)
                                            class:active=move || core.template.get() == active_template && core.variant.get() == active_name>
                                            <a href="#" title=format!("A/B variant {}: its own {what}; {}.{} % of recipients", v.name, v.per_mille / 10, v.per_mille % 10)
                                                on:click=move |ev| {
                                                    ev.prevent_default();
                                                    core.use_template(&template);
                                                    core.variant.set(name.clone());
                                                    // The open file's preview follows (the variant's own body,
                                                    // else the template's).
                                                    core.open(body.as_deref().unwrap_or(&format!("templates/{template}/body.mjml")), None);
                                                }>{label}<span class="override-badge">{format!("variant {}", v.name)}</span></a>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </li>
                    }
                } />
            </ul>
            <h2>"Layouts"</h2>
            <ul class="files">{move || files(|s| &s.layouts).into_iter().map(file_link).collect_view()}</ul>
            <h2>"Partials"</h2>
            <ul class="files">{move || files(|s| &s.partials).into_iter().map(file_link).collect_view()}</ul>
        </nav>
    }
}
