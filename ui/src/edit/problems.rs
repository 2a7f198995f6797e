//! The Problems panel: every diagnostic of the current render; click to jump to it.

use crate::core::*;
use leptos::prelude::*;

#[component]
pub fn Problems() -> impl IntoView {
    let core = expect_context::<Core>();
    // A configuration that no longer loads comes first: it concerns every render.
    let diagnostics = move || {
        let mut all: Vec<_> = core
            .snapshot
            .with(|s| s.as_ref().and_then(|s| s.config_problem.clone()))
            .into_iter()
            .collect();
        core.preview.with(|p| {
            if let Some(p) = p {
                all.extend(p.diagnostics.iter().cloned());
            }
        });
        all
    };
    view! {
        <section class="problems" data-test="problems">
            <h2>{move || format!("Problems ({})", diagnostics().len())}</h2>
            <ul>
                {move || diagnostics().into_iter().map(|d| {
                    let place = d.location.as_ref().map(|l| l.to_string()).unwrap_or_default();
                    let severity = if d.is_error() { "error" } else { "warning" };
                    let text = format!("{} [{}]", d.message, d.code.as_str());
                    view! {
                        <li class=severity data-test="diagnostic" on:click=move |_| core.jump(&d)>
                            <span class="place">{place}</span>
                            <span class="message">{text}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
