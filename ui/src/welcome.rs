//! The welcome screen: what the app shows when it starts without a project — open a folder,
//! the sample project (a copy in the user's data folder), a new project from the sample or
//! an empty one, and the projects opened before.

use crate::core::Core;
use leptos::prelude::*;
use letterpress_protocol::commands::{
    ChooseProject, NewEmptyProject, NewProjectFromSample, OpenProject, OpenSample,
};

#[component]
pub fn Welcome() -> impl IntoView {
    let core = expect_context::<Core>();
    view! {
        <main class="welcome" data-test="welcome" aria-labelledby="welcome-title">
            <h1 id="welcome-title">"Letterpress"</h1>
            <p class="muted">"Transactional email templates: MJML, locales, versions, sync."</p>
            {move || core.problem.get().map(|p| view! { <div class="banner" role="alert" data-test="problem">{p}</div> })}
            <div class="welcome-actions">
                <button data-test="welcome-open" autofocus=true
                    on:click=move |_| core.switch_project(ChooseProject {})>
                    <strong>"Open folder…"</strong>
                    <span>"A Letterpress project (a folder with letterpress.toml)"</span>
                </button>
                <button data-test="welcome-sample" on:click=move |_| core.switch_project(OpenSample {})>
                    <strong>"Open the sample project"</strong>
                    <span>"Six emails in five locales, in a copy of your own"</span>
                </button>
                <button data-test="welcome-new-sample" on:click=move |_| core.switch_project(NewProjectFromSample {})>
                    <strong>"New project from sample…"</strong>
                    <span>"The sample's templates, layouts and locales, in a folder you choose"</span>
                </button>
                <button data-test="welcome-new-empty" on:click=move |_| core.switch_project(NewEmptyProject {})>
                    <strong>"New empty project…"</strong>
                    <span>"English, no templates yet, in a folder you choose"</span>
                </button>
            </div>
            {move || {
                let recent = core.recent.get();
                (!recent.is_empty()).then(|| view! {
                    <section class="welcome-recent" aria-label="Recent projects">
                        <h2>"Recent projects"</h2>
                        <ul data-test="welcome-recent">
                            {recent.into_iter().map(|r| {
                                let path = r.path.clone();
                                view! {
                                    <li><button class="link" title=r.path.clone() on:click=move |_| {
                                        core.switch_project(OpenProject { path: Some(path.clone()) });
                                    }>{r.name.clone()}<span class="muted">{format!(" — {}", r.path)}</span></button></li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            }}
        </main>
    }
}
