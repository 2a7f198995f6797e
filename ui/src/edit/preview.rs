//! The preview pane: pickers, inbox header, the email (HTML or text part).

use super::visual::{
    BlockLibraryPanel, OutlinePanel, PropertyPanel, SelectLayer, SelectionBar, SelectionLayer,
};
use crate::core::*;
use leptos::prelude::*;
use letterpress_protocol::*;

#[component]
pub fn PreviewPane(layer: SelectLayer) -> impl IntoView {
    let core = expect_context::<Core>();
    let locales = move || {
        core.snapshot
            .with(|s| s.as_ref().map(|s| s.locales.clone()).unwrap_or_default())
    };
    let fixtures = move || {
        let t = core.template.get();
        core.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.templates.iter().find(|x| x.id == t))
                .map(|t| t.fixtures.clone())
                .unwrap_or_default()
        })
    };
    let field = move |f: fn(&Preview) -> String| {
        core.preview.with(|p| p.as_ref().map(f).unwrap_or_default())
    };
    // The email is patched into the frame's document (no scripts may run in it; same origin
    // only so the app can write to it), keeping the scroll position while typing.
    let SelectLayer { frame, overlay, .. } = layer;
    Effect::new(move |_| {
        let html = core.with_local_images(&core.last_good_html.get());
        if let Some(el) = frame.get() {
            crate::ipc::preview_show(el.as_ref(), &html);
        }
        core.fetch_remote_images(&html);
    });
    // Forcing names offsets of one template's files: another template starts unforced.
    Effect::new(move |_| {
        core.template.track();
        if core.logic.with_untracked(|l| !l.is_empty()) {
            core.logic.set(Default::default());
        }
    });
    let remote_note = move || {
        let failed = core.remote_failed.with(|f| f.len());
        let shown = core.remote_images.with(|r| r.len());
        let why = core.remote_failed.with(|f| {
            f.iter()
                .map(|(url, why)| format!("{url}: {why}"))
                .collect::<Vec<_>>()
                .join("\n")
        });
        (core.remote_allowed.get() && failed > 0).then(|| {
            view! {
                <span class="remote-failed" data-test="remote-failed" title=why>
                    {format!("{failed} of {} remote images not shown", failed + shown)}
                </span>
            }
        })
    };
    let has_error = move || {
        core.preview
            .with(|p| p.as_ref().is_some_and(|p| !p.is_ok()))
    };
    view! {
        <section class="preview-pane">
            <div class="toolbar">
                {move || core.code_hidden.get().then(|| view! {
                    <button data-test="show-code" title="Show the code editor again (Ctrl+Shift+E)"
                        on:click=move |_| core.code_hidden.set(false)>"Show code"</button>
                })}
                <label>"Locale "
                    <select data-test="locale" prop:value=move || core.locale.get()
                        on:change=move |ev| { core.locale.set(event_target_value(&ev)); core.refresh(); }>
                        {move || locales().into_iter().map(|l| {
                            let label = if l.dir == "rtl" { format!("{} (rtl)", l.tag) } else { l.tag.clone() };
                            view! { <option value=l.tag.clone()>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Data "
                    <select data-test="fixture" prop:value=move || core.fixture.get()
                        on:change=move |ev| { core.fixture.set(event_target_value(&ev)); core.refresh(); }>
                        {move || fixtures().into_iter().map(|f| view! { <option value=f.clone()>{f.clone()}</option> }).collect_view()}
                    </select>
                </label>
                // A/B variants: each previews as its recipients get it.
                {move || {
                    let variants = core.variants();
                    (!variants.is_empty()).then(|| view! {
                        <label>"Variant "
                            <select data-test="variant"
                                title="A/B variants of this template (template.toml [variants]): the share of recipients each gets"
                                prop:value=move || { let v = core.variant.get(); if v.is_empty() { "a".to_owned() } else { v } }
                                on:change=move |ev| core.use_variant(&event_target_value(&ev))>
                                {variants.into_iter().map(|v| {
                                    let changes = if v.changes.is_empty() { "the template".to_owned() } else { v.changes.join(", ") };
                                    let label = format!("{} · {} · {}.{} %", v.name, changes, v.per_mille / 10, v.per_mille % 10);
                                    view! { <option value=v.name.clone()>{label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    })
                }}
                {move || match core.new_fixture.get() {
                    None => view! {
                        <button data-test="new-fixture" title="A new set of preview data, copied from this one"
                            on:click=move |_| core.new_fixture.set(Some(String::new()))>"Copy…"</button>
                    }.into_any(),
                    Some(name) => view! {
                        <span class="inline-form">
                            <input data-test="new-fixture-name" placeholder="new-fixture-name" prop:value=name
                                on:input=move |ev| core.new_fixture.set(Some(event_target_value(&ev)))
                                on:keydown=move |ev| if ev.key() == "Enter" { core.duplicate_fixture() } />
                            <button data-test="new-fixture-create" on:click=move |_| core.duplicate_fixture()>"Create"</button>
                            <button on:click=move |_| core.new_fixture.set(None)>"Cancel"</button>
                        </span>
                    }.into_any(),
                }}
                <span class="segmented">
                    <button class:on=move || core.width.get() == Width::Desktop on:click=move |_| core.width.set(Width::Desktop)>"Desktop"</button>
                    <button data-test="mobile" class:on=move || core.width.get() == Width::Mobile on:click=move |_| core.width.set(Width::Mobile)>"Mobile"</button>
                </span>
                <span class="segmented" role="group" aria-label="Light or dark mode">
                    {[(None, "Light", "The email as it is"),
                      (Some(DarkMode::PrefersColorScheme), "Dark", "Clients that apply the email's own dark styles (prefers-color-scheme: Apple Mail, iOS, Outlook for Mac)"),
                      (Some(DarkMode::Inverting), "Dark (inverted)", "Clients that invert colours themselves (Gmail apps, Outlook.com, Outlook for Windows): an approximation")]
                        .into_iter().map(|(mode, label, title)| view! {
                            <button data-test=format!("scheme-{}", label.to_lowercase().replace([' ', '(', ')'], "")) title=title
                                class:on=move || core.dark.get() == mode
                                aria-pressed=move || (core.dark.get() == mode).to_string()
                                on:click=move |_| { core.dark.set(mode); core.refresh(); }>{label}</button>
                        }).collect_view()}
                </span>
                <label class="remote-toggle" title="Fetched by the app (at most 5 MB and 10 s each, no cookies) and shown in the preview; the email itself is unchanged">
                    <input type="checkbox" data-test="remote-images" prop:checked=move || core.remote_allowed.get()
                        on:change=move |ev| core.allow_remote_images(event_target_checked(&ev)) />
                    "Remote images"
                </label>
                {remote_note}
                <super::send::SendTestButton />
                <span class="segmented">
                    <button class:on=move || core.tab.get() == Tab::Html on:click=move |_| core.show_tab(Tab::Html)>"HTML"</button>
                    <button data-test="text-tab" class:on=move || core.tab.get() == Tab::Text on:click=move |_| core.show_tab(Tab::Text)>"Text"</button>
                </span>
            </div>
            <div class="inbox" dir=move || field(|p| p.dir.clone())>
                <div class="subject" data-test="subject">{move || field(|p| p.subject.clone())}</div>
                <div class="preheader" data-test="preheader">{move || field(|p| p.preheader.clone())}</div>
            </div>
            {move || has_error().then(|| view! {
                <div class="banner" data-test="error-banner">"The template has errors: showing the last good render."</div>
            })}
            {move || core.problem.get().map(|p| view! { <div class="banner" data-test="problem">{p}</div> })}
            <super::logic::ForcedBanner />
            {move || core.preview.with(|p| p.as_ref().and_then(|p| p.appearance.clone())).map(|note| view! {
                <div class="banner appearance" data-test="appearance" role="status">{note}</div>
            })}
            {move || core.snapshot.with(|s| s.as_ref().and_then(|s| s.config_problem.clone())).map(|d| {
                let at = d.location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default();
                view! {
                    <div class="banner" data-test="config-problem">
                        {format!("{at}{} (the last valid configuration is still in use)", d.message)}
                    </div>
                }
            })}
            // The selection's inspector: above the email beside the code, beside the email
            // when the code is hidden.
            {move || (core.tab.get() == Tab::Html && !core.code_hidden.get()).then(|| view! {
                <div class="inspector"><SelectionBar /> <BlockLibraryPanel /> <PropertyPanel /></div>
            })}
            <div class="frame-row">
            {move || (core.tab.get() == Tab::Html).then(|| view! { <OutlinePanel layer=layer /> })}
            <div class="frame" class:mobile=move || core.width.get() == Width::Mobile>
                {move || match core.tab.get() {
                    Tab::Html => view! {
                        <div class="frame-box">
                            <iframe title="Email preview" data-test="preview" node_ref=frame
                                sandbox="allow-same-origin" referrerpolicy="no-referrer"></iframe>
                            <div class="outline-layer" node_ref=overlay></div>
                            <SelectionLayer layer=layer />
                        </div>
                    }.into_any(),
                    Tab::Text => view! {
                        <pre class="text-part" data-test="text-part">{move || field(|p| p.text.clone())}</pre>
                    }.into_any(),
                }}
            </div>
            {move || (core.tab.get() == Tab::Html && core.code_hidden.get()).then(|| view! {
                <div class="inspector beside" data-test="inspector-beside"><SelectionBar /> <BlockLibraryPanel /> <PropertyPanel /></div>
            })}
            </div>
            <div class="timing">{move || core.preview.with(|p| p.as_ref().map(|p| format!("engine {:.1} ms", p.engine_micros as f64 / 1000.0)).unwrap_or_default())}</div>
        </section>
    }
}
