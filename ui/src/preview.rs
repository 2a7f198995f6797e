//! The preview pane: pickers, inbox header, the email (HTML or text part).

use crate::state::*;
use leptos::prelude::*;
use letterpress_protocol::*;

#[component]
pub fn PreviewPane(ui: Ui) -> impl IntoView {
    let locales = move || {
        ui.snapshot
            .with(|s| s.as_ref().map(|s| s.locales.clone()).unwrap_or_default())
    };
    let fixtures = move || {
        let t = ui.template.get();
        ui.snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.templates.iter().find(|x| x.id == t))
                .map(|t| t.fixtures.clone())
                .unwrap_or_default()
        })
    };
    let field =
        move |f: fn(&Preview) -> String| ui.preview.with(|p| p.as_ref().map(f).unwrap_or_default());
    // The email is patched into the frame's document (no scripts may run in it; same origin
    // only so the app can write to it), keeping the scroll position while typing.
    let frame = NodeRef::<leptos::html::Iframe>::new();
    Effect::new(move |_| {
        let html = ui.last_good_html.get();
        if let Some(el) = frame.get() {
            crate::ipc::preview_show(el.as_ref(), &html);
        }
    });
    let has_error = move || ui.preview.with(|p| p.as_ref().is_some_and(|p| !p.is_ok()));
    view! {
        <section class="preview-pane">
            <div class="toolbar">
                <label>"Locale "
                    <select data-test="locale" prop:value=move || ui.locale.get()
                        on:change=move |ev| { ui.locale.set(event_target_value(&ev)); ui.refresh(); }>
                        {move || locales().into_iter().map(|l| {
                            let label = if l.dir == "rtl" { format!("{} (rtl)", l.tag) } else { l.tag.clone() };
                            view! { <option value=l.tag.clone()>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Data "
                    <select data-test="fixture" prop:value=move || ui.fixture.get()
                        on:change=move |ev| { ui.fixture.set(event_target_value(&ev)); ui.refresh(); }>
                        {move || fixtures().into_iter().map(|f| view! { <option value=f.clone()>{f.clone()}</option> }).collect_view()}
                    </select>
                </label>
                {move || match ui.new_fixture.get() {
                    None => view! {
                        <button data-test="new-fixture" title="A new set of preview data, copied from this one"
                            on:click=move |_| ui.new_fixture.set(Some(String::new()))>"Copy…"</button>
                    }.into_any(),
                    Some(name) => view! {
                        <span class="inline-form">
                            <input data-test="new-fixture-name" placeholder="new-fixture-name" prop:value=name
                                on:input=move |ev| ui.new_fixture.set(Some(event_target_value(&ev)))
                                on:keydown=move |ev| if ev.key() == "Enter" { ui.duplicate_fixture() } />
                            <button data-test="new-fixture-create" on:click=move |_| ui.duplicate_fixture()>"Create"</button>
                            <button on:click=move |_| ui.new_fixture.set(None)>"Cancel"</button>
                        </span>
                    }.into_any(),
                }}
                <span class="segmented">
                    <button class:on=move || ui.width.get() == Width::Desktop on:click=move |_| ui.width.set(Width::Desktop)>"Desktop"</button>
                    <button data-test="mobile" class:on=move || ui.width.get() == Width::Mobile on:click=move |_| ui.width.set(Width::Mobile)>"Mobile"</button>
                </span>
                <span class="segmented">
                    <button class:on=move || ui.tab.get() == Tab::Html on:click=move |_| ui.show_tab(Tab::Html)>"HTML"</button>
                    <button data-test="text-tab" class:on=move || ui.tab.get() == Tab::Text on:click=move |_| ui.show_tab(Tab::Text)>"Text"</button>
                </span>
            </div>
            <div class="inbox" dir=move || field(|p| p.dir.clone())>
                <div class="subject" data-test="subject">{move || field(|p| p.subject.clone())}</div>
                <div class="preheader" data-test="preheader">{move || field(|p| p.preheader.clone())}</div>
            </div>
            {move || has_error().then(|| view! {
                <div class="banner" data-test="error-banner">"The template has errors: showing the last good render."</div>
            })}
            {move || ui.problem.get().map(|p| view! { <div class="banner" data-test="problem">{p}</div> })}
            <div class="frame" class:mobile=move || ui.width.get() == Width::Mobile>
                {move || match ui.tab.get() {
                    Tab::Html => view! {
                        <iframe title="Email preview" data-test="preview" node_ref=frame
                            sandbox="allow-same-origin" referrerpolicy="no-referrer"></iframe>
                    }.into_any(),
                    Tab::Text => view! {
                        <pre class="text-part" data-test="text-part">{move || field(|p| p.text.clone())}</pre>
                    }.into_any(),
                }}
            </div>
            <div class="timing">{move || ui.preview.with(|p| p.as_ref().map(|p| format!("engine {:.1} ms", p.engine_micros as f64 / 1000.0)).unwrap_or_default())}</div>
        </section>
    }
}
