//! "Send test…" beside the preview: the email shown (unsaved edits included) sent to one
//! recipient over `[send] smtp` or a sync target, with the result line or the error and its
//! SMTP transcript. Enter sends, Esc closes; a recipient outside `[send] allow` asks first.

use crate::core::Core;
use crate::ipc;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use letterpress_protocol::commands::{GetTestSendSetup, SendTest};
use letterpress_protocol::send::{
    SendTransport, TestSendReport, TestSendSetup, format_size, split_transcript,
};
use letterpress_protocol::{IpcCode, IpcError};
use wasm_bindgen::JsCast;

/// What the dialog shows after a try.
#[derive(Clone)]
enum Outcome {
    Sending,
    Sent(TestSendReport),
    /// The recipient is outside the allow-list: asks before sending.
    Confirm(String),
    Failed(IpcError),
}

/// The dialog's state.
#[derive(Clone, Copy)]
struct SendUi {
    open: RwSignal<bool>,
    setup: RwSignal<Option<TestSendSetup>>,
    to: RwSignal<String>,
    /// `""`: SMTP; else a target's name.
    via: RwSignal<String>,
    outcome: RwSignal<Option<Outcome>>,
}

impl SendUi {
    fn open(self) {
        self.open.set(true);
        self.outcome.set(None);
        // The field shows the last recipient a test went to, never what was typed and not
        // sent (so it does not flash an old value while the setup loads).
        self.to.set(String::new());
        spawn_local(async move {
            match ipc::call(&GetTestSendSetup {}).await {
                Ok(setup) => {
                    // Prefilled with the last recipient a test went to (on this computer),
                    // unless the user has started typing.
                    if let Some(last) = setup.last_to.clone()
                        && self.to.get_untracked().is_empty()
                    {
                        self.to.set(last);
                    }
                    if setup.smtp.is_none()
                        && self.via.get_untracked().is_empty()
                        && let Some((name, _)) = setup.targets.first()
                    {
                        self.via.set(name.clone());
                    }
                    self.setup.set(Some(setup));
                }
                Err(e) => self.outcome.set(Some(Outcome::Failed(e))),
            }
        });
    }

    fn send(self, core: Core, confirmed: bool) {
        if matches!(self.outcome.get_untracked(), Some(Outcome::Sending)) {
            return;
        }
        let via = self.via.get_untracked();
        let mut request = core.preview_request();
        // The real email: no forced logic, no dark copy, no markers; both parts.
        request.markers = false;
        request.text = true;
        request.logic = Default::default();
        request.dark = None;
        let command = SendTest {
            request,
            to: self.to.get_untracked().trim().to_owned(),
            transport: if via.is_empty() {
                SendTransport::Smtp
            } else {
                SendTransport::Target { name: via }
            },
            confirmed,
        };
        self.outcome.set(Some(Outcome::Sending));
        spawn_local(async move {
            // The email sent is the one in the editor, up to the last keystroke.
            core.edits_delivered().await;
            let outcome = match ipc::call(&command).await {
                Ok(report) => Outcome::Sent(report),
                Err(e) if e.code == IpcCode::NotAllowed => Outcome::Confirm(command.to.clone()),
                Err(e) => Outcome::Failed(e),
            };
            self.outcome.set(Some(outcome));
        });
    }
}

/// The "Send test…" button and its dialog.
#[component]
pub fn SendTestButton() -> impl IntoView {
    let core = expect_context::<Core>();
    let ui = SendUi {
        open: RwSignal::new(false),
        setup: RwSignal::new(None),
        to: RwSignal::new(String::new()),
        via: RwSignal::new(String::new()),
        outcome: RwSignal::new(None),
    };
    let to_input = NodeRef::<Input>::new();
    Effect::new(move |_| {
        if ui.open.get()
            && let Some(input) = to_input.get()
        {
            let _ = input.focus();
        }
    });
    let keys = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            ui.open.set(false);
        }
        "Enter" => {
            // A focused button answers Enter with its own click.
            let on_button = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|e| e.tag_name() == "BUTTON");
            if on_button {
                return;
            }
            ev.prevent_default();
            let confirm = matches!(ui.outcome.get_untracked(), Some(Outcome::Confirm(_)));
            ui.send(core, confirm);
        }
        _ => {}
    };
    let result = move || {
        ui.outcome.get().map(|o| match o {
            Outcome::Sending => view! {
                <div class="send-result" data-test="send-result" role="status">"Sending…"</div>
            }
            .into_any(),
            Outcome::Sent(r) => view! {
                <div class="send-result ok" data-test="send-result" role="status">
                    {format!("Sent to {} · {} encoded · token {} · {}", r.to, format_size(r.encoded_bytes), r.token, r.reply)}
                    <div class="muted">{format!("{} · via {} in {} ms", r.subject, r.via, r.millis)}</div>
                </div>
            }
            .into_any(),
            Outcome::Confirm(to) => view! {
                <div class="warning" data-test="send-confirm" role="alertdialog" aria-label="Recipient outside the allow-list">
                    {format!("{to} is not in [send] allow of letterpress.toml. Send the test to this address anyway?")}
                    " "
                    <button data-test="send-anyway" class="primary" on:click=move |_| ui.send(core, true)>"Send anyway"</button>
                </div>
            }
            .into_any(),
            Outcome::Failed(e) => {
                let (sentence, transcript) = split_transcript(&e.message);
                let sentence = format!("{}: {sentence}", e.code);
                let transcript = transcript.map(str::to_owned);
                view! {
                    <div class="send-result failed" data-test="send-result" role="alert">
                        {sentence}
                        {transcript.map(|t| view! {
                            <pre class="transcript" data-test="send-transcript">{t}</pre>
                        })}
                    </div>
                }
                .into_any()
            }
        })
    };
    let from = move || {
        ui.setup.with(|s| {
            s.as_ref().map(|s| match &s.from {
                Some(f) => format!("From {f}"),
                None => "letterpress.toml has no [send] from: sending is not set up".to_owned(),
            })
        })
    };
    view! {
        <button data-test="send-test" title="Send this email (locale, data, unsaved edits) to yourself"
            on:click=move |_| ui.open()>"Send test…"</button>
        {move || ui.open.get().then(|| view! {
            <div class="dialog-backdrop" on:keydown=keys>
                <div class="dialog" data-test="send-dialog" role="dialog" aria-modal="true" aria-labelledby="send-title">
                    <h3 id="send-title">"Send test"</h3>
                    <p class="muted">{move || format!("{} · {} · {}", core.template.get(), core.locale.get(), core.fixture.get())}" — "{from}</p>
                    <label>"To "
                        <input data-test="send-to" type="email" node_ref=to_input prop:value=move || ui.to.get()
                            on:input=move |ev| ui.to.set(event_target_value(&ev)) />
                    </label>
                    <label>"Via "
                        <select data-test="send-via" prop:value=move || ui.via.get()
                            on:change=move |ev| ui.via.set(event_target_value(&ev))>
                            {move || ui.setup.with(|s| {
                                let Some(s) = s.as_ref() else { return Vec::new() };
                                let mut options = Vec::new();
                                let smtp = s.smtp.clone().unwrap_or_else(|| "SMTP (not set up)".into());
                                options.push(view! { <option value="">{format!("SMTP {smtp}")}</option> }.into_any());
                                for (name, provider) in &s.targets {
                                    options.push(view! { <option value=name.clone()>{format!("{name} ({provider})")}</option> }.into_any());
                                }
                                options
                            })}
                        </select>
                    </label>
                    {move || ui.setup.with(|s| s.as_ref().map(|s| {
                        let allow = if s.allow.is_empty() { "nobody".to_owned() } else { s.allow.join(", ") };
                        view! { <p class="muted">{format!("Allowed without asking: {allow}")}</p> }
                    }))}
                    {result}
                    <div class="row">
                        <button data-test="send-go" class="primary"
                            disabled=move || matches!(ui.outcome.get(), Some(Outcome::Sending))
                            on:click=move |_| ui.send(core, false)>"Send"</button>
                        <button data-test="send-close" on:click=move |_| ui.open.set(false)>"Close"</button>
                    </div>
                </div>
            </div>
        })}
    }
}
