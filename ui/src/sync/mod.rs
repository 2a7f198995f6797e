//! The Sync screen: a target of `letterpress.toml` (provider, environment, endpoint, prefix,
//! where its credentials come from, a form to put an access key in the keychain), the plan
//! of the latest publish against the provider (per template × locale: create, update,
//! delete, unchanged, drift, blocked; diffs and diagnostics), and apply with progress and its
//! report. Its state lives in [`SyncUi`]; progress arrives as `SYNC_PROGRESS_EVENT`s.

use crate::core::{Core, Mode};
use crate::ipc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use letterpress_protocol::IpcCode;
use letterpress_protocol::commands::{
    ApplySync, HistoryPublished, PlanSync, SyncCredentialStatus, SyncSetCredentials, SyncTargets,
};
use letterpress_protocol::sync::{
    ApplyReport, CredentialOrigin, CredentialStatus, SyncAction, SyncItem, SyncPlan, SyncProgress,
    SyncTarget,
};
use letterpress_protocol::{IpcError, PublishedVersion, format_local_time};
use std::collections::BTreeSet;

/// Every action, in the order the summary lists them.
const ACTIONS: [SyncAction; 6] = [
    SyncAction::Create,
    SyncAction::Update,
    SyncAction::Delete,
    SyncAction::Drift,
    SyncAction::Blocked,
    SyncAction::Unchanged,
];

/// Everything the Sync screen shows, as signals.
#[derive(Clone, Copy)]
pub struct SyncUi {
    /// Targets of `letterpress.toml` (`None`: not read yet).
    pub targets: RwSignal<Option<Vec<SyncTarget>>>,
    /// The target shown.
    pub selected: RwSignal<Option<String>>,
    /// Where its credentials come from.
    pub credentials: RwSignal<Option<CredentialStatus>>,
    /// Why the credential status could not be read (no keychain...).
    pub credential_error: RwSignal<Option<IpcError>>,
    /// The access-key form is open.
    pub form_open: RwSignal<bool>,
    pub key_id: RwSignal<String>,
    /// The secret typed; cleared as soon as it is handed to the keychain.
    pub secret: RwSignal<String>,
    pub storing: RwSignal<bool>,
    pub plan: RwSignal<Option<SyncPlan>>,
    pub planning: RwSignal<bool>,
    /// Items whose diff or diagnostics are unfolded (remote names).
    pub expanded: RwSignal<BTreeSet<String>>,
    /// Only items with this action are listed (`None`: all).
    pub filter: RwSignal<Option<SyncAction>>,
    pub overwrite_drift: RwSignal<bool>,
    /// The "overwrite drifted templates" confirmation is open.
    pub confirm_overwrite: RwSignal<bool>,
    pub applying: RwSignal<bool>,
    pub progress: RwSignal<Option<SyncProgress>>,
    pub report: RwSignal<Option<ApplyReport>>,
    /// The last failure of a plan, apply or target read.
    pub error: RwSignal<Option<IpcError>>,
    /// Newest plan request; answers for an earlier target are dropped.
    pub plan_seq: StoredValue<u64>,
    /// What is live where (shared with the History screen, which reads it too).
    pub published: RwSignal<Vec<PublishedVersion>>,
}

impl SyncUi {
    /// Nothing loaded yet.
    pub fn new(published: RwSignal<Vec<PublishedVersion>>) -> SyncUi {
        SyncUi {
            targets: RwSignal::new(None),
            selected: RwSignal::new(None),
            credentials: RwSignal::new(None),
            credential_error: RwSignal::new(None),
            form_open: RwSignal::new(false),
            key_id: RwSignal::new(String::new()),
            secret: RwSignal::new(String::new()),
            storing: RwSignal::new(false),
            plan: RwSignal::new(None),
            planning: RwSignal::new(false),
            expanded: RwSignal::new(BTreeSet::new()),
            filter: RwSignal::new(None),
            overwrite_drift: RwSignal::new(false),
            confirm_overwrite: RwSignal::new(false),
            applying: RwSignal::new(false),
            progress: RwSignal::new(None),
            report: RwSignal::new(None),
            error: RwSignal::new(None),
            plan_seq: StoredValue::new(0),
            published,
        }
    }

    fn target(self) -> Option<SyncTarget> {
        let name = self.selected.get()?;
        self.targets
            .with(|t| t.as_ref()?.iter().find(|t| t.name == name).cloned())
    }
}

impl SyncUi {
    /// Reads the targets again and keeps the selected one when it still exists.
    pub fn load_targets(self) {
        let s = self;
        self.load_published();
        spawn_local(async move {
            match ipc::call(&SyncTargets {}).await {
                Ok(targets) => {
                    let keep = s
                        .selected
                        .get_untracked()
                        .filter(|name| targets.iter().any(|t| &t.name == name));
                    let pick = keep.or_else(|| targets.first().map(|t| t.name.clone()));
                    s.targets.set(Some(targets));
                    match pick {
                        Some(name) => self.select(name),
                        None => s.selected.set(None),
                    }
                }
                Err(e) => {
                    s.targets.set(Some(Vec::new()));
                    s.error.set(Some(e));
                }
            }
        });
    }

    /// Shows `name`: its credential status; the plan of another target is dropped.
    pub fn select(self, name: String) {
        let s = self;
        if s.selected.get_untracked().as_deref() != Some(name.as_str()) {
            s.plan.set(None);
            s.report.set(None);
            s.progress.set(None);
            s.error.set(None);
            s.expanded.set(BTreeSet::new());
            s.filter.set(None);
            s.overwrite_drift.set(false);
            s.form_open.set(false);
            // What was typed for another target (an AWS secret is no Postmark token).
            s.key_id.set(String::new());
            s.secret.set(String::new());
            // The other target's credential status is not this one's.
            s.credentials.set(None);
            s.credential_error.set(None);
            s.plan_seq.update_value(|n| *n += 1);
            s.planning.set(false);
        }
        s.selected.set(Some(name));
        self.load_credentials();
    }

    fn load_credentials(self) {
        let s = self;
        let Some(target) = s.selected.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let answer = ipc::call(&SyncCredentialStatus {
                target: target.clone(),
            })
            .await;
            // The answer for a target selected before is dropped (it would show that
            // target's status and form).
            if s.selected.get_untracked().as_deref() != Some(target.as_str()) {
                return;
            }
            match answer {
                Ok(status) => {
                    s.form_open.set(status.source == CredentialOrigin::None);
                    s.credentials.set(Some(status));
                    s.credential_error.set(None);
                }
                Err(e) => {
                    s.credentials.set(None);
                    s.credential_error.set(Some(e));
                }
            }
        });
    }

    /// Hands the typed access key to the keychain (the secret field is cleared at once).
    pub fn store_credentials(self) {
        let s = self;
        let Some(target) = s.selected.get_untracked() else {
            return;
        };
        let args = SyncSetCredentials {
            target,
            key_id: s.key_id.get_untracked(),
            secret: s.secret.get_untracked(),
        };
        s.secret.set(String::new());
        s.storing.set(true);
        spawn_local(async move {
            match ipc::call(&args).await {
                Ok(status) => {
                    s.credentials.set(Some(status));
                    s.credential_error.set(None);
                    s.form_open.set(false);
                    s.key_id.set(String::new());
                    if s.error.with_untracked(|e| {
                        e.as_ref().is_some_and(|e| {
                            e.code == IpcCode::NoCredentials || e.code == IpcCode::Auth
                        })
                    }) {
                        s.error.set(None);
                    }
                }
                Err(e) => s.credential_error.set(Some(e)),
            }
            s.storing.set(false);
        });
    }

    /// Plans the selected target: the latest publish of its environment against the remote.
    pub fn plan(self) {
        let s = self;
        let Some(target) = s.selected.get_untracked() else {
            return;
        };
        let seq = s.plan_seq.get_value() + 1;
        s.plan_seq.set_value(seq);
        s.planning.set(true);
        s.error.set(None);
        spawn_local(async move {
            let answer = ipc::call(&PlanSync { target }).await;
            if s.plan_seq.get_value() != seq {
                return;
            }
            s.planning.set(false);
            match answer {
                Ok(plan) => {
                    if plan.counts.drift == 0 {
                        s.overwrite_drift.set(false);
                    }
                    s.expanded.set(BTreeSet::new());
                    s.plan.set(Some(plan));
                }
                Err(e) => {
                    s.plan.set(None);
                    s.error.set(Some(e));
                }
            }
            // A publish made meanwhile (CLI, History) is what the plan compared with.
            self.load_published();
        });
    }

    /// What is live where (shown beside the target).
    fn load_published(self) {
        spawn_local(async move {
            if let Ok(live) = ipc::call(&HistoryPublished {}).await {
                self.published.set(live);
            }
        });
    }

    /// Apply; with "overwrite drifted templates" ticked and drift in the plan, asks first.
    pub fn apply(self, confirmed: bool) {
        let s = self;
        let drift = s
            .plan
            .with_untracked(|p| p.as_ref().map_or(0, |p| p.counts.drift));
        let overwrite = s.overwrite_drift.get_untracked() && drift > 0;
        if overwrite && !confirmed {
            s.confirm_overwrite.set(true);
            return;
        }
        s.confirm_overwrite.set(false);
        let Some(target) = s.selected.get_untracked() else {
            return;
        };
        s.applying.set(true);
        s.progress.set(None);
        s.report.set(None);
        s.error.set(None);
        spawn_local(async move {
            let args = ApplySync {
                target,
                overwrite_drift: overwrite,
            };
            let answer = ipc::call(&args).await;
            s.applying.set(false);
            match answer {
                Ok(report) => {
                    s.report.set(Some(report));
                    s.overwrite_drift.set(false);
                    // The table shows the remote as it is now.
                    self.plan();
                }
                Err(e) => {
                    s.progress.set(None);
                    s.error.set(Some(e));
                }
            }
        });
    }

    /// A progress event of the apply under way.
    pub fn on_progress(self, progress: SyncProgress) {
        if self.applying.get_untracked() {
            self.progress.set(Some(progress));
        }
    }
}

/// A person's name of a provider id.
fn provider_name(provider: &str) -> String {
    match provider {
        "ses" => "Amazon SES".to_owned(),
        "postmark" => "Postmark".to_owned(),
        other => other.to_owned(),
    }
}

/// Title and advice for a failure, by its stable code.
fn explain(e: &IpcError, target: Option<&SyncTarget>) -> (&'static str, String) {
    let endpoint = target.map(|t| t.endpoint.clone()).unwrap_or_default();
    match e.code {
        IpcCode::NoCredentials => (
            "No credentials",
            "Enter the credentials in the Credentials form on the left; they are kept in the OS \
             keychain."
                .into(),
        ),
        IpcCode::NotPublished => (
            "Nothing published",
            "Only published versions are synced, never the working copy. Publish a version \
             from History, then plan again."
                .into(),
        ),
        IpcCode::UnknownTarget => (
            "Unknown target",
            "letterpress.toml no longer has this target: reload the targets.".into(),
        ),
        IpcCode::Network | IpcCode::Timeout | IpcCode::GaveUp => (
            "Provider unreachable",
            format!("No answer from {endpoint}. Check the endpoint or region and the connection."),
        ),
        IpcCode::Auth => (
            "Credentials refused",
            "The provider refused the credentials: set them again.".into(),
        ),
        IpcCode::NoKeychain | IpcCode::Keychain => ("Keychain unavailable", String::new()),
        IpcCode::Busy => ("Apply already running", String::new()),
        IpcCode::Blocked => (
            "Templates do not compile",
            "Fix the blocked templates, publish again and plan.".into(),
        ),
        IpcCode::InvalidConfig => ("Configuration error", String::new()),
        _ => ("Sync failed", String::new()),
    }
}

/// The Sync screen (Sync mode).
#[component]
pub fn SyncScreen() -> impl IntoView {
    let core = expect_context::<Core>();
    let s = expect_context::<SyncUi>();
    // Entering Sync mode reads the targets and the credential status again (the file or
    // the keychain may have changed meanwhile).
    Effect::new(move |_| {
        if core.mode.get() == Mode::Sync {
            s.load_targets();
        }
    });
    let targets = move || s.targets.get().unwrap_or_default();
    view! {
        <section class="sync-screen" data-test="sync-screen">
            <div class="sync-head">
                <h2>"Sync"</h2>
                <span class="muted">"Published versions → sending service"</span>
                {move || (targets().len() > 1).then(|| view! {
                    <label class="target-pick">"Target "
                        <select data-test="sync-target-select"
                            on:change=move |ev| s.select(event_target_value(&ev))>
                            {targets().into_iter().map(|t| {
                                let name = t.name.clone();
                                let selected = s.selected.get_untracked().as_deref() == Some(name.as_str());
                                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                })}
                <button class="reload" data-test="sync-reload" title="Read letterpress.toml and the credentials again"
                    on:click=move |_| s.load_targets()>"Reload targets"</button>
            </div>
            {move || match s.targets.get() {
                None => view! { <div class="empty-state muted">"Reading targets…"</div> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <div class="empty-state" data-test="sync-no-targets">
                        <SyncError core=core />
                        <p>"No sync targets are configured. Add one to "<code>"letterpress.toml"</code>":"</p>
                        <pre class="snippet">"[targets.ses-staging]\nprovider = \"ses\"\nenvironment = \"staging\"\nregion = \"eu-central-1\"\nprefix = \"myapp-staging-\"\n\n[targets.postmark-staging]\nprovider = \"postmark\"\nenvironment = \"staging\"\nprefix = \"myapp-staging-\""</pre>
                    </div>
                }.into_any(),
                Some(_) => view! {
                    <div class="sync-body">
                        <aside class="sync-side">
                            <TargetCard />
                            <CredentialsCard />
                            <PublishedCard core=core />
                        </aside>
                        <div class="sync-main">
                            <PlanBar />
                            <SyncError core=core />
                            <ApplyProgress />
                            <Report />
                            <PlanTable core=core />
                        </div>
                    </div>
                }.into_any(),
            }}
            <ConfirmOverwrite />
        </section>
    }
}

/// The selected target's settings.
#[component]
fn TargetCard() -> impl IntoView {
    let s = expect_context::<SyncUi>();
    move || {
        s.target().map(|t| {
            let templates = t
                .templates
                .clone()
                .map_or_else(|| "all".to_owned(), |l| l.join(", "));
            let prefix = if t.prefix.is_empty() {
                "(none)".to_owned()
            } else {
                t.prefix.clone()
            };
            view! {
                <div class="card target-card" data-test="sync-target">
                    <div class="card-title">
                        <span class="target-name">{t.name.clone()}</span>
                        <span class="env-chip" data-test="sync-environment">{t.environment.clone()}</span>
                    </div>
                    <dl class="facts">
                        <dt>"Provider"</dt><dd data-test="sync-provider">{provider_name(&t.provider)}</dd>
                        {(!t.region.is_empty()).then(|| view! { <dt>"Region"</dt><dd>{t.region.clone()}</dd> })}
                        <dt>"Endpoint"</dt><dd class="mono" data-test="sync-endpoint">{t.endpoint.clone()}</dd>
                        <dt>"Name prefix"</dt><dd class="mono">{prefix}</dd>
                        <dt>"Templates"</dt><dd>{templates}</dd>
                    </dl>
                </div>
            }
        })
    }
}

/// What is live in the target's environment: the version a plan compares with.
#[component]
fn PublishedCard(core: Core) -> impl IntoView {
    let s = expect_context::<SyncUi>();
    move || {
        let environment = s.target()?.environment;
        let live = s
            .published
            .with(|l| l.iter().find(|p| p.environment == environment).cloned());
        Some(view! {
            <div class="card published-card" data-test="sync-live">
                <div class="card-title">{format!("Published to {environment}")}</div>
                {match live {
                    Some(p) => view! {
                        <div class="live-tag"><b class="mono">{p.tag.clone()}</b></div>
                        <div class="live-summary">
                            <span class="mono muted">{p.version.short_id.clone()}</span>" "{p.version.summary.clone()}
                        </div>
                        <div class="muted small">{format!("by {} · {}", p.publisher, format_local_time(p.time, 0))}</div>
                        {(!p.notes.is_empty()).then(|| view! { <div class="live-notes">{p.notes.clone()}</div> })}
                        <p class="muted small">"Only this published version is synced, never the working copy."</p>
                    }.into_any(),
                    None => view! {
                        <p class="muted">"Nothing is published to this environment yet."</p>
                        <button on:click=move |_| core.mode.set(Mode::History)>"Publish from History"</button>
                    }.into_any(),
                }}
            </div>
        })
    }
}

/// Where the credentials come from, and the form to put an access key in the keychain.
#[component]
fn CredentialsCard() -> impl IntoView {
    let s = expect_context::<SyncUi>();
    // A Postmark target takes one Server API token; SES an access key pair.
    let token_only = move || s.target().is_some_and(|t| t.provider == "postmark");
    let can_store = move || {
        !s.storing.get()
            && (token_only() || !s.key_id.with(String::is_empty))
            && !s.secret.with(String::is_empty)
    };
    view! {
        <div class="card credentials-card" data-test="sync-credentials">
            <div class="card-title">"Credentials"</div>
            {move || s.credentials.get().map(|c| {
                let (state, text) = match c.source {
                    CredentialOrigin::Environment if token_only() => ("ok", "From the environment (LETTERPRESS_POSTMARK_SERVER_TOKEN)"),
                    CredentialOrigin::Environment => ("ok", "From environment variables (LETTERPRESS_AWS_*)"),
                    CredentialOrigin::Keychain => ("ok", "In the OS keychain"),
                    CredentialOrigin::Injected => ("ok", "Given for this session"),
                    CredentialOrigin::None => ("missing", "Not set"),
                };
                view! {
                    <div class=format!("credential-status {state}") data-test="sync-credential-status"
                        data-source=c.source.as_str()>
                        <span class="dot"></span>
                        <div>
                            <div>{text}</div>
                            {c.key_id_hint.clone().map(|hint| view! {
                                <div class="mono muted">{if token_only() { hint } else { format!("Access key {hint}") }}</div>
                            })}
                        </div>
                    </div>
                }
            })}
            {move || s.credential_error.get().map(|e| view! {
                <div class="cell-error" data-test="sync-credential-error">
                    <span class="code">{e.code.as_str()}</span>" "{e.message.clone()}
                </div>
            })}
            {move || if s.form_open.get() {
                view! {
                    <form class="credential-form" data-test="sync-credential-form"
                        on:submit=move |ev| { ev.prevent_default(); if can_store() { s.store_credentials(); } }>
                        {move || (!token_only()).then(|| view! {
                            <label>"Access key id"
                                <input data-test="sync-key-id" autocomplete="off" spellcheck="false"
                                    prop:value=move || s.key_id.get()
                                    on:input=move |ev| s.key_id.set(event_target_value(&ev)) />
                            </label>
                        })}
                        <label>{move || if token_only() { "Server API token" } else { "Secret access key" }}
                            <input data-test="sync-secret" type="password" autocomplete="off"
                                prop:value=move || s.secret.get()
                                on:input=move |ev| s.secret.set(event_target_value(&ev)) />
                        </label>
                        <p class="muted small">"Stored in the OS keychain only; Letterpress never writes it to a file or shows it again."</p>
                        <div class="row">
                            {move || s.credentials.with(|c| c.as_ref().is_some_and(|c| c.source != CredentialOrigin::None)).then(|| view! {
                                <button type="button" on:click=move |_| { s.form_open.set(false); s.secret.set(String::new()); }>"Cancel"</button>
                            })}
                            <button type="submit" class="primary" data-test="sync-store-credentials"
                                disabled=move || !can_store()>"Save to keychain"</button>
                        </div>
                    </form>
                }.into_any()
            } else {
                view! {
                    <button class="link" data-test="sync-change-credentials"
                        on:click=move |_| s.form_open.set(true)>
                        {move || if token_only() { "Set another token…" } else { "Set another key…" }}
                    </button>
                }.into_any()
            }}
        </div>
    }
}

/// Plan and apply buttons, the publish being synced and the counts.
#[component]
fn PlanBar() -> impl IntoView {
    let s = expect_context::<SyncUi>();
    let busy = move || s.planning.get() || s.applying.get();
    let counts = move || s.plan.with(|p| p.as_ref().map(|p| p.counts));
    let can_apply = move || {
        !busy()
            && counts().is_some_and(|c| {
                c.blocked == 0 && (c.pending() > 0 || (c.drift > 0 && s.overwrite_drift.get()))
            })
    };
    let apply_title = move || match counts() {
        None => "Plan first".to_owned(),
        Some(c) if c.blocked > 0 => {
            format!(
                "{} blocked template(s) must be fixed and published first",
                c.blocked
            )
        }
        Some(c) if c.pending() == 0 && !(c.drift > 0 && s.overwrite_drift.get()) => {
            "Nothing to change".to_owned()
        }
        Some(_) => "Make the remote match the published version".to_owned(),
    };
    view! {
        <div class="plan-bar">
            <button class="primary" data-test="sync-plan" disabled=busy
                on:click=move |_| s.plan()>
                {move || if s.planning.get() { "Planning…" } else if s.plan.with(Option::is_some) { "Plan again" } else { "Plan" }}
            </button>
            <button data-test="sync-apply" disabled=move || !can_apply() title=apply_title
                on:click=move |_| s.apply(false)>
                {move || if s.applying.get() { "Applying…" } else { "Apply" }}
            </button>
            {move || counts().is_some_and(|c| c.drift > 0).then(|| view! {
                <label class="overwrite" data-test="sync-overwrite-label">
                    <input type="checkbox" data-test="sync-overwrite" prop:checked=move || s.overwrite_drift.get()
                        on:change=move |ev| s.overwrite_drift.set(event_target_checked(&ev)) />
                    "Overwrite drifted templates"
                </label>
            })}
            {move || s.plan.get().map(|plan| {
                let short: String = plan.version.chars().take(8).collect();
                view! {
                    <span class="publish-info" data-test="sync-published">
                        "Plan of "<b class="mono">{plan.tag.clone()}</b>
                        <span class="mono muted">{format!(" ({short})")}</span>
                        " → "<b>{plan.target.clone()}</b>
                    </span>
                }
            })}
        </div>
        {move || counts().map(|c| {
            let count_of = move |a: SyncAction| match a {
                SyncAction::Create => c.create,
                SyncAction::Update => c.update,
                SyncAction::Delete => c.delete,
                SyncAction::Unchanged => c.unchanged,
                SyncAction::Drift => c.drift,
                SyncAction::Blocked => c.blocked,
            };
            let total = c.pending() + c.unchanged + c.drift + c.blocked;
            view! {
                <div class="plan-summary" data-test="sync-summary">
                    <button class="chip all" class:on=move || s.filter.get().is_none()
                        on:click=move |_| s.filter.set(None)>{format!("All {total}")}</button>
                    {ACTIONS.into_iter().filter(|a| count_of(*a) > 0).map(|a| view! {
                        <button class=format!("chip {}", a.as_str()) data-test=format!("sync-count-{}", a.as_str())
                            class:on=move || s.filter.get() == Some(a)
                            on:click=move |_| s.filter.set(if s.filter.get_untracked() == Some(a) { None } else { Some(a) })>
                            <b>{count_of(a)}</b>" "{a.as_str()}
                        </button>
                    }).collect_view()}
                    <span class="muted verdict">{
                        if c.blocked > 0 {
                            "Apply is blocked until every template compiles.".to_owned()
                        } else if c.pending() == 0 && c.drift == 0 {
                            "The remote matches the published version.".to_owned()
                        } else if c.drift > 0 {
                            format!("{} write(s) pending; {} drifted template(s) are kept unless you overwrite them.", c.pending(), c.drift)
                        } else {
                            format!("{} write(s) pending.", c.pending())
                        }
                    }</span>
                </div>
            }
        })}
    }
}

/// The last failure, explained.
#[component]
fn SyncError(core: Core) -> impl IntoView {
    let s = expect_context::<SyncUi>();
    move || {
        s.error.get().map(|e| {
            let (title, advice) = explain(&e, s.target().as_ref());
            let history = e.code == IpcCode::NotPublished;
            view! {
                <div class="sync-error" data-test="sync-error" data-code=e.code.as_str()>
                    <div class="sync-error-title">{title}<span class="code">{e.code.as_str()}</span></div>
                    <div class="sync-error-message">{e.message.clone()}</div>
                    {(!advice.is_empty()).then(|| view! { <div class="sync-error-advice">{advice}</div> })}
                    {history.then(|| view! {
                        <button on:click=move |_| core.mode.set(Mode::History)>"Open History"</button>
                    })}
                </div>
            }
        })
    }
}

/// Progress of the apply under way.
#[component]
fn ApplyProgress() -> impl IntoView {
    let s = expect_context::<SyncUi>();
    move || {
        s.applying.get().then(|| {
            let progress = s.progress.get();
            let (percent, text) = match &progress {
                Some(p) if p.total > 0 => (
                    p.done * 100 / p.total,
                    format!(
                        "{} of {} · {} {}",
                        p.done,
                        p.total,
                        p.action.as_str(),
                        p.remote_name
                    ),
                ),
                _ => (0, "Checking the remote and starting…".to_owned()),
            };
            view! {
                <div class="apply-progress" data-test="sync-progress">
                    <div class="bar" class:indeterminate=progress.is_none()>
                        <span style=format!("width: {percent}%")></span>
                    </div>
                    <span class="progress-text">{text}</span>
                </div>
            }
        })
    }
}

/// What the last apply did.
#[component]
fn Report() -> impl IntoView {
    let s = expect_context::<SyncUi>();
    move || {
        s.report.get().map(|r| {
            let resumed = (!r.resumed_runs.is_empty()).then(|| {
                format!(
                    "Completed interrupted run(s) {}.",
                    r.resumed_runs
                        .iter()
                        .map(|n| format!("#{n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
            let drift = (!r.drift_skipped.is_empty()).then(|| {
                format!(
                    "Drifted, left as they are: {}.",
                    r.drift_skipped.join(", ")
                )
            });
            view! {
                <div class="apply-report" data-test="sync-report">
                    <div class="report-title">
                        <span class="ok-mark">"✓"</span>"Applied "<b class="mono">{r.tag.clone()}</b>" to "<b>{r.target.clone()}</b>
                        <span class="muted">{format!(" · run #{}", r.run)}</span>
                        <button class="dismiss" on:click=move |_| s.report.set(None)>"×"</button>
                    </div>
                    <div class="report-numbers">
                        <span class="num create" data-test="report-created"><b>{r.created}</b>" created"</span>
                        <span class="num update" data-test="report-updated"><b>{r.updated}</b>" updated"</span>
                        <span class="num delete" data-test="report-deleted"><b>{r.deleted}</b>" deleted"</span>
                        <span class="num unchanged" data-test="report-unchanged"><b>{r.unchanged}</b>" unchanged"</span>
                        <span class="num retries" data-test="report-retries"><b>{r.retries}</b>" retries"</span>
                    </div>
                    {resumed.map(|t| view! { <div class="muted">{t}</div> })}
                    {drift.map(|t| view! { <div class="drift-note">{t}</div> })}
                </div>
            }
        })
    }
}

/// Items grouped by template, in plan order (deletes of names we cannot attribute last).
fn grouped(items: Vec<SyncItem>) -> Vec<(String, Vec<SyncItem>)> {
    let mut groups: Vec<(String, Vec<SyncItem>)> = Vec::new();
    for item in items {
        match groups.iter_mut().find(|(t, _)| *t == item.template) {
            Some((_, list)) => list.push(item),
            None => groups.push((item.template.clone(), vec![item])),
        }
    }
    groups.sort_by_key(|(t, _)| t.is_empty());
    groups
}

/// One `<span>` per diff line, coloured by its kind.
fn diff_view(diff: &str) -> impl IntoView + use<> {
    diff.lines()
        .map(|line| {
            let kind = if line.starts_with("+++") || line.starts_with("---") {
                "meta"
            } else if line.starts_with("@@") {
                "hunk"
            } else if line.starts_with('+') {
                "add"
            } else if line.starts_with('-') {
                "del"
            } else {
                "ctx"
            };
            view! { <span class=kind>{format!("{line}\n")}</span> }
        })
        .collect_view()
}

/// The plan: one row per template × locale, grouped by template.
#[component]
fn PlanTable(core: Core) -> impl IntoView {
    let s = expect_context::<SyncUi>();
    move || {
        let Some(plan) = s.plan.get() else {
            return (!s.planning.get() && s.error.with(Option::is_none)).then(|| view! {
                <div class="empty-state muted" data-test="sync-empty">
                    "Plan compares the latest published version of this target's environment with what the provider holds. Nothing is changed until you apply."
                </div>
            }.into_any());
        };
        let filter = s.filter.get();
        let items: Vec<SyncItem> = plan
            .items
            .into_iter()
            .filter(|i| filter.is_none_or(|f| f == i.action))
            .collect();
        Some(view! {
            <div class="plan-scroll">
            <table class="plan-table" data-test="sync-plan-table">
                <thead>
                    <tr><th class="locale">"Locale"</th><th class="remote-col">"Remote template"</th><th class="action-col">"Action"</th><th>"Details"</th></tr>
                </thead>
                {grouped(items).into_iter().map(|(template, items)| {
                    let title = if template.is_empty() { "Not in the published version".to_owned() } else { template.clone() };
                    let tally = ACTIONS.into_iter().filter_map(|a| {
                        let n = items.iter().filter(|i| i.action == a).count();
                        (n > 0).then(|| format!("{n} {}", a.as_str()))
                    }).collect::<Vec<_>>().join(" · ");
                    view! {
                        <tbody data-test="sync-group" data-template=template.clone()>
                            <tr class="group"><th colspan="4">
                                <span class="group-name">{title}</span>
                                <span class="muted group-tally">{tally}</span>
                            </th></tr>
                            {items.into_iter().map(|item| view! { <PlanRow core=core item=item /> }).collect_view()}
                        </tbody>
                    }
                }).collect_view()}
            </table>
            </div>
        }.into_any())
    }
}

/// One template × locale of the plan, with its diff or diagnostics unfolded on demand.
#[component]
fn PlanRow(core: Core, item: SyncItem) -> impl IntoView {
    let s = expect_context::<SyncUi>();
    let name = item.remote_name.clone();
    let has_detail =
        item.diff.as_ref().is_some_and(|d| !d.is_empty()) || !item.diagnostics.is_empty();
    let open = {
        let name = name.clone();
        move || s.expanded.with(|e| e.contains(&name))
    };
    let toggle = {
        let name = name.clone();
        move |_| {
            s.expanded.update(|e| {
                if !e.remove(&name) {
                    e.insert(name.clone());
                }
            })
        }
    };
    let action = item.action.as_str();
    let label = if item.diagnostics.is_empty() {
        "diff"
    } else {
        "diagnostics"
    };
    let note = item.note.clone();
    let diff = item.diff.clone().unwrap_or_default();
    let diagnostics = item.diagnostics.clone();
    let open_detail = open.clone();
    view! {
        <tr class=format!("item {action}") data-test="sync-item" data-action=action data-remote=name.clone()>
            <td class="locale mono">{if item.locale.is_empty() { "—".to_owned() } else { item.locale.clone() }}</td>
            <td class="mono remote">{name.clone()}</td>
            <td><span class=format!("action-badge {action}") data-test="sync-action">{action}</span></td>
            <td class="details">
                <span class="note">{note}</span>
                {has_detail.then(|| view! {
                    <button class="link" data-test="sync-toggle-detail" on:click=toggle>
                        {move || if open() { format!("Hide {label}") } else { format!("Show {label}") }}
                    </button>
                })}
            </td>
        </tr>
        {move || open_detail().then(|| {
            let diagnostics = diagnostics.clone();
            view! {
                <tr class="detail" data-test="sync-detail">
                    <td colspan="4">
                        {(!diff.is_empty()).then(|| view! { <pre class="diff" data-test="sync-diff">{diff_view(&diff)}</pre> })}
                        {(!diagnostics.is_empty()).then(|| view! {
                            <ul class="item-diagnostics">
                                {diagnostics.into_iter().map(|d| {
                                    let place = d.location.as_ref().map(ToString::to_string).unwrap_or_default();
                                    let text = format!("{} [{}]", d.message, d.code.as_str());
                                    let clickable = d.location.is_some();
                                    view! {
                                        <li data-test="sync-diagnostic" class:clickable=clickable
                                            title="Open in the editor (the working copy; the plan compiles the published version)"
                                            on:click=move |_| core.jump(&d)>
                                            <span class="place">{place}</span>
                                            <span class="message">{text}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        })}
                    </td>
                </tr>
            }
        })}
    }
}

/// Confirms overwriting templates changed on the provider since the last sync.
#[component]
fn ConfirmOverwrite() -> impl IntoView {
    let s = expect_context::<SyncUi>();
    move || {
        s.confirm_overwrite.get().then(|| {
            let drifted: Vec<String> = s.plan.with(|p| {
                p.as_ref()
                    .map(|p| {
                        p.items
                            .iter()
                            .filter(|i| i.action == SyncAction::Drift)
                            .map(|i| i.remote_name.clone())
                            .collect()
                    })
                    .unwrap_or_default()
            });
            view! {
                <div class="dialog-backdrop">
                    <div class="dialog" data-test="sync-confirm-overwrite">
                        <h3>"Overwrite drifted templates?"</h3>
                        <p>{format!(
                            "{} template(s) were changed on the provider since the last sync. Applying replaces those changes with the published version; they cannot be recovered from Letterpress.",
                            drifted.len()
                        )}</p>
                        <ul class="save-files">
                            {drifted.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                        </ul>
                        <div class="row">
                            <button on:click=move |_| s.confirm_overwrite.set(false)>"Cancel"</button>
                            <button class="primary danger" data-test="sync-confirm-apply"
                                on:click=move |_| s.apply(true)>"Overwrite and apply"</button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}
