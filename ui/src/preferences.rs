//! Preferences…: what the app remembers for this user on this computer — who versions are
//! saved as, and the code editor's font size. A dialog over the app (Escape closes it).

use crate::core::Core;
use crate::ipc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use letterpress_protocol::commands::SetPreferences;
use letterpress_protocol::{EDITOR_FONT_SIZES, Preferences};

#[component]
pub fn PreferencesDialog() -> impl IntoView {
    let core = expect_context::<Core>();
    let stored = move || {
        core.preferences.get_untracked().unwrap_or(Preferences {
            author_name: String::new(),
            author_email: String::new(),
            editor_font_size: EDITOR_FONT_SIZES[0],
        })
    };
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let size = RwSignal::new(EDITOR_FONT_SIZES[0]);
    let problem = RwSignal::new(None::<String>);
    let sizes = {
        let mut s = EDITOR_FONT_SIZES;
        s.sort_unstable();
        s
    };
    // Each opening starts from what is stored.
    Effect::new(move |_| {
        if core.preferences_open.get() {
            let p = stored();
            name.set(p.author_name);
            email.set(p.author_email);
            size.set(p.editor_font_size);
            problem.set(None);
        }
    });
    let save = move || {
        let preferences = Preferences {
            author_name: name.get_untracked(),
            author_email: email.get_untracked(),
            editor_font_size: size.get_untracked(),
        };
        spawn_local(async move {
            match ipc::call(&SetPreferences { preferences }).await {
                Ok(p) => {
                    core.apply_preferences(p);
                    core.preferences_open.set(false);
                }
                Err(e) => problem.set(Some(e.message)),
            }
        });
    };
    move || {
        core.preferences_open.get().then(|| view! {
            <div class="dialog-backdrop">
                <div class="dialog preferences" role="dialog" aria-modal="true" aria-labelledby="preferences-title"
                    data-test="preferences"
                    on:keydown=move |ev| if ev.key() == "Escape" { core.preferences_open.set(false) }>
                    <h2 id="preferences-title">"Preferences"</h2>
                    <fieldset>
                        <legend>"Versions are saved as"</legend>
                        <label>"Name "
                            <input data-test="pref-author-name" autofocus=true prop:value=move || name.get()
                                on:input=move |ev| name.set(event_target_value(&ev)) />
                        </label>
                        <label>"Email "
                            <input data-test="pref-author-email" type="email" prop:value=move || email.get()
                                on:input=move |ev| email.set(event_target_value(&ev)) />
                        </label>
                        <p class="muted">"Both, or neither: then git's own name and email are used."</p>
                    </fieldset>
                    <label>"Editor font size "
                        <select data-test="pref-font-size" prop:value=move || size.get().to_string()
                            on:change=move |ev| {
                                if let Ok(s) = event_target_value(&ev).parse() { size.set(s) }
                            }>
                            {sizes.into_iter()
                                .map(|s| view! { <option value=s.to_string()>{format!("{s} px")}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    {move || problem.get().map(|p| view! { <p class="banner" role="alert" data-test="pref-problem">{p}</p> })}
                    <div class="dialog-actions">
                        <button data-test="pref-save" on:click=move |_| save()>"Save"</button>
                        <button data-test="pref-cancel" on:click=move |_| core.preferences_open.set(false)>"Cancel"</button>
                    </div>
                </div>
            </div>
        })
    }
}
