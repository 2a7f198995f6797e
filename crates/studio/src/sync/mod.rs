//! Sync of published versions to sending services: Amazon SES v2 (Handlebars) and Postmark
//! (Mustachio), whose clients live in `letterpress_providers` behind [`RemoteTemplates`].
//!
//! `plan` compares three states per remote template (template × locale): what the latest
//! publish tag of the target's environment compiles to (never the working copy), what the
//! provider holds, and what we last synced (SQLite). `apply` re-plans, then writes, recording
//! every write in the audit log before and after, so a killed apply resumes without
//! duplicates or losses. Credentials come through [`CredentialStore`]; they never reach
//! errors, logs, SQLite or IPC.

pub mod plan;
pub mod state;

// The providers' side of the API, so the CLI and the app need only the studio.
pub use letterpress_providers::{
    AwsCredentials, ClientOptions, Clock, CredentialSource, CredentialStore, Credentials,
    ENV_ACCESS_KEY_ID, ENV_POSTMARK_SERVER_TOKEN, ENV_SECRET_ACCESS_KEY, ENV_SESSION_TOKEN,
    ENV_SMTP_PASSWORD, EnvOverride, Keychain, MemorySmtpPasswords, MemoryStore, PostmarkClient,
    ProviderError, ProviderKind, RemoteTemplates, Secret, SesClient, SmtpKeychain, SmtpPasswords,
    TemplateContent, credentials_from_env, env_variables, key_id_hint, smtp_account, system_clock,
};
pub use state::{AuditEntry, RunRecord, STATE_DIR, STATE_FILE, SyncState};

use crate::history::{History, HistoryError};
use letterpress_engine::bridge::Dialect;
use letterpress_engine::{
    Code, Diagnostic, Location, PROJECT_FILE, ProjectConfig, Provider, TargetConfig,
};
use letterpress_protocol::sync::{
    ApplyReport, CredentialOrigin, CredentialStatus, SyncAction, SyncCounts, SyncItem, SyncPlan,
    SyncProgress, SyncTarget,
};
use letterpress_protocol::{Coded, IpcCode};
use letterpress_providers::{Created, Found};
use plan::Desired;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Sync failures. Messages never hold a secret.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The project's `letterpress.toml` cannot be read or parsed.
    #[error("{0}")]
    Project(String),
    /// A configuration problem without a place in a file.
    #[error("{0}")]
    Config(String),
    /// `letterpress.toml` does not parse or validate: the diagnostic has the place.
    #[error("{}", .0.message)]
    ConfigFile(Box<Diagnostic>),
    /// No such target.
    #[error("no target `{name}` in letterpress.toml (targets: {known})")]
    UnknownTarget {
        /// Asked for.
        name: String,
        /// Configured, comma separated.
        known: String,
    },
    /// The environment has no publish tag yet.
    #[error(
        "nothing is published to `{0}` yet (publish a version first: `letterpress publish {0}`)"
    )]
    NotPublished(String),
    /// The project history could not be read.
    #[error("{0}")]
    History(#[from] HistoryError),
    /// No credentials for the target.
    #[error(
        "no credentials for target `{target}`: run `letterpress auth set {target}`, or set \
         {variables}"
    )]
    NoCredentials {
        /// The target.
        target: String,
        /// The environment variables that would provide them.
        variables: &'static str,
    },
    /// A provider call or the credentials failed: its own code and message, unchanged.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// Templates do not compile; apply refuses to run.
    #[error("{} template(s) do not compile; nothing was synced", .0.len())]
    Blocked(Vec<SyncItem>),
    /// The sync database failed.
    #[error("sync state: {0}")]
    State(String),
    /// Another apply of this project is running (the app and the CLI, or two terminals).
    #[error("another `sync apply` of this project is running; try again when it has finished")]
    Busy,
}

impl SyncError {
    /// A stable code for the error (CLI JSON, IPC).
    pub fn code(&self) -> IpcCode {
        match self {
            SyncError::Project(_) => IpcCode::NotAProject,
            SyncError::Config(_) | SyncError::ConfigFile(_) => IpcCode::InvalidConfig,
            SyncError::UnknownTarget { .. } => IpcCode::UnknownTarget,
            SyncError::NotPublished(_) => IpcCode::NotPublished,
            SyncError::History(_) => IpcCode::History,
            SyncError::NoCredentials { .. } => IpcCode::NoCredentials,
            SyncError::Provider(e) => e.code(),
            SyncError::Blocked(_) => IpcCode::Blocked,
            SyncError::State(_) => IpcCode::SyncState,
            SyncError::Busy => IpcCode::Busy,
        }
    }
}

impl SyncError {
    /// Whether this is a provider answer of `kind`.
    pub fn is_provider(&self, kind: ProviderKind) -> bool {
        matches!(self, SyncError::Provider(e) if e.is_answer(kind))
    }
}

impl Coded for SyncError {
    fn code(&self) -> IpcCode {
        SyncError::code(self)
    }
    fn location(&self) -> Option<Location> {
        match self {
            SyncError::ConfigFile(d) => d.location.clone(),
            _ => None,
        }
    }
}

/// Options of an apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions {
    /// Overwrite (or delete) remote templates changed since the last sync.
    pub overwrite_drift: bool,
}

/// The project's configuration from the working copy (targets are operational settings,
/// read from disk; what is uploaded comes from the published version only).
fn working_config(root: &Path) -> Result<ProjectConfig, SyncError> {
    let files =
        crate::disk::DiskSources::new(root, letterpress_engine::Limits::default().source_bytes)
            .map_err(|e| SyncError::Project(format!("{}: {e}", root.display())))?;
    letterpress_engine::load::read_config(&files).map_err(|e| match e {
        letterpress_engine::LoadError::NoProjectFile => {
            SyncError::Project(format!("no {PROJECT_FILE} in {}", root.display()))
        }
        letterpress_engine::LoadError::Invalid(d) => SyncError::ConfigFile(d),
    })
}

fn target_dto(t: &TargetConfig) -> SyncTarget {
    SyncTarget {
        name: t.name.clone(),
        provider: t.provider.as_str().to_owned(),
        environment: t.environment.clone(),
        region: t.region.clone(),
        endpoint: t.endpoint_url(),
        prefix: t.prefix.clone(),
        templates: t.templates.clone(),
    }
}

/// The targets configured in `<root>/letterpress.toml`.
pub fn list_targets(root: &Path) -> Result<Vec<SyncTarget>, SyncError> {
    Ok(working_config(root)?
        .targets
        .values()
        .map(target_dto)
        .collect())
}

/// Two templates (or variants) whose remote names differ only in case would be one remote
/// template at a provider that ignores case (`x` in `en-GB` and `x`'s variant `gb` in `en`):
/// both are blocked, with why, instead of overwriting each other.
fn refuse_shared_names(mut desired: Vec<Desired>, target: &str) -> Vec<Desired> {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, d) in desired.iter().enumerate() {
        by_name
            .entry(d.remote_name.to_ascii_lowercase())
            .or_default()
            .push(i);
    }
    for indices in by_name.values().filter(|v| v.len() > 1) {
        let names: Vec<String> = indices
            .iter()
            .map(|&i| desired[i].remote_name.clone())
            .collect();
        for &i in indices {
            desired[i].content = Err(vec![Diagnostic::error(
                Code::InvalidConfig,
                format!(
                    "remote names {} would be one template at the provider (names differ only \
                     in case): rename a template or variant, or set targets.{target}.prefix",
                    names.join(" and ")
                ),
                Some(Location::start_of(PROJECT_FILE)),
            )]);
        }
    }
    desired
}

fn find_target(config: &ProjectConfig, name: &str) -> Result<TargetConfig, SyncError> {
    config
        .targets
        .get(name)
        .cloned()
        .ok_or_else(|| SyncError::UnknownTarget {
            name: name.to_owned(),
            known: if config.targets.is_empty() {
                "none configured".into()
            } else {
                config
                    .targets
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })
}

/// The provider of `target`.
pub fn target_provider(root: &Path, target: &str) -> Result<Provider, SyncError> {
    Ok(find_target(&working_config(root)?, target)?.provider)
}

/// The keychain account of a target: `<project name>/<target>`.
pub fn credential_account(config: &ProjectConfig, target: &str) -> String {
    format!("{}/{target}", config.name)
}

/// Where `target`'s credentials would come from (never the secret itself).
pub fn credential_status(
    root: &Path,
    target: &str,
    store: &dyn CredentialStore,
) -> Result<CredentialStatus, SyncError> {
    let config = working_config(root)?;
    let provider = find_target(&config, target)?.provider;
    let found = store
        .get(&credential_account(&config, target), provider)?
        .filter(|(c, _)| c.provider() == provider);
    Ok(CredentialStatus {
        target: target.to_owned(),
        source: found
            .as_ref()
            .map_or(CredentialOrigin::None, |(_, s)| s.origin()),
        key_id_hint: found.map(|(c, _)| c.hint()),
    })
}

/// Stores `credentials` for `target` in `store` (the keychain for `letterpress auth set`).
pub fn set_credentials(
    root: &Path,
    target: &str,
    store: &dyn CredentialStore,
    credentials: &Credentials,
) -> Result<(), SyncError> {
    let config = working_config(root)?;
    let provider = find_target(&config, target)?.provider;
    if credentials.provider() != provider {
        return Err(ProviderError::InvalidCredentials(format!(
            "target `{target}` is a {} target; these credentials are for {}",
            provider.as_str(),
            credentials.provider().as_str()
        ))
        .into());
    }
    credentials.validate()?;
    Ok(store.set(&credential_account(&config, target), credentials)?)
}

/// The provider client of a target.
enum Client {
    Ses(SesClient),
    Postmark(PostmarkClient),
}

impl Client {
    fn remote(&self) -> &dyn RemoteTemplates {
        match self {
            Client::Ses(c) => c,
            Client::Postmark(c) => c,
        }
    }
}

/// One target of one project, ready to plan and apply.
pub struct TargetSync {
    root: PathBuf,
    target: TargetConfig,
    client: Client,
    clock: Clock,
}

/// The desired state and the publish it comes from.
struct Published {
    tag: String,
    version: String,
    desired: Vec<Desired>,
}

impl TargetSync {
    /// Opens `target` of the project at `root` with credentials from `store`.
    pub fn open(
        root: &Path,
        target: &str,
        store: &dyn CredentialStore,
        options: ClientOptions,
        clock: Clock,
    ) -> Result<TargetSync, SyncError> {
        let config = working_config(root)?;
        let target = find_target(&config, target)?;
        let (credentials, _) = store
            .get(&credential_account(&config, &target.name), target.provider)?
            .ok_or_else(|| SyncError::NoCredentials {
                target: target.name.clone(),
                variables: match target.provider {
                    Provider::Ses => {
                        "LETTERPRESS_AWS_ACCESS_KEY_ID and LETTERPRESS_AWS_SECRET_ACCESS_KEY"
                    }
                    Provider::Postmark => "LETTERPRESS_POSTMARK_SERVER_TOKEN",
                },
            })?;
        let client = match (target.provider, credentials) {
            (Provider::Ses, Credentials::Aws(aws)) => Client::Ses(SesClient::new(
                &target.endpoint_url(),
                &target.region,
                aws,
                options,
                clock.clone(),
            )?),
            (Provider::Postmark, Credentials::PostmarkServerToken(token)) => {
                Client::Postmark(PostmarkClient::new(&target.endpoint_url(), token, options)?)
            }
            (provider, other) => {
                return Err(ProviderError::InvalidCredentials(format!(
                    "target `{}` is a {} target, but the stored credentials are for {}: set \
                     them again with `letterpress auth set {}`",
                    target.name,
                    provider.as_str(),
                    other.provider().as_str(),
                    target.name
                ))
                .into());
            }
        };
        Ok(TargetSync {
            root: root.to_owned(),
            target,
            client,
            clock,
        })
    }

    /// The target's settings.
    pub fn target(&self) -> SyncTarget {
        target_dto(&self.target)
    }

    /// The SES client, for an SES target (TestRenderEmailTemplate, tests).
    pub fn ses(&self) -> Option<&SesClient> {
        match &self.client {
            Client::Ses(c) => Some(c),
            Client::Postmark(_) => None,
        }
    }

    /// The Postmark client, for a Postmark target (`/templates/validate`, tests).
    pub fn postmark(&self) -> Option<&PostmarkClient> {
        match &self.client {
            Client::Postmark(c) => Some(c),
            Client::Ses(_) => None,
        }
    }

    fn remote_templates(&self) -> &dyn RemoteTemplates {
        self.client.remote()
    }

    /// Compiles the latest publish of the target's environment: one [`Desired`] per
    /// template × locale (only the target's templates when it lists them).
    fn published(&self) -> Result<Published, SyncError> {
        let history = History::open(&self.root)?;
        let env = &self.target.environment;
        let live = history
            .publish_history(env)?
            .into_iter()
            .next()
            .ok_or_else(|| SyncError::NotPublished(env.clone()))?;
        let version = match history.version_project(&live.tag)? {
            Ok(v) => v,
            Err(d) => {
                return Err(SyncError::Config(format!(
                    "the published version {}: {d}",
                    live.tag
                )));
            }
        };
        let templates: Vec<(String, Option<Diagnostic>)> = match &self.target.templates {
            None => version
                .templates
                .iter()
                .map(|t| (t.clone(), None))
                .collect(),
            Some(list) => list
                .iter()
                .map(|t| {
                    let missing = (!version.templates.contains(t)).then(|| {
                        Diagnostic::error(
                            Code::UnknownTemplate,
                            format!(
                                "targets.{}.templates lists `{t}`, which is not in the published \
                                 version {}",
                                self.target.name, live.tag
                            ),
                            Some(Location::start_of(PROJECT_FILE)),
                        )
                    });
                    (t.clone(), missing)
                })
                .collect(),
        };
        let engine = &version.engine;
        // Each template in each locale, and each of its A/B variants as a remote template of
        // its own (`…-<locale>-<variant>`).
        let jobs: Vec<(String, Option<String>, String, Option<Diagnostic>)> = templates
            .iter()
            .flat_map(|(t, missing)| {
                let variants = std::iter::once(None).chain(
                    engine
                        .template_meta(t)
                        .map(|m| m.variants)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|v| Some(v.name)),
                );
                let variants: Vec<Option<String>> = variants.collect();
                version.config.locales.iter().flat_map(move |l| {
                    variants
                        .clone()
                        .into_iter()
                        .map(move |v| (t.clone(), v, l.clone(), missing.clone()))
                })
            })
            .collect();
        let provider = self.target.provider;
        let dialect = match provider {
            Provider::Ses => Dialect::Handlebars,
            Provider::Postmark => Dialect::Mustachio,
        };
        let desired = jobs
            .into_par_iter()
            .map(|(template, variant, locale, missing)| {
                let remote_name =
                    self.target
                        .variant_remote_name(&template, &locale, variant.as_deref());
                let content = if let Some(d) = missing {
                    Err(vec![d])
                } else if !provider.accepts_remote_name(&remote_name) {
                    Err(vec![Diagnostic::error(
                        Code::InvalidConfig,
                        format!(
                            "remote name `{remote_name}` is not a valid {} template name \
                             ({}): change targets.{}.prefix or the template id",
                            provider.as_str(),
                            provider.remote_name_rule(),
                            self.target.name
                        ),
                        Some(Location::start_of(PROJECT_FILE)),
                    )])
                } else {
                    engine
                        .compile_send_time_variant(&template, variant.as_deref(), &locale, dialect)
                        .map(|t| TemplateContent {
                            subject: t.subject,
                            html: t.html,
                            text: t.text,
                            layout: None,
                        })
                };
                Desired {
                    remote_name,
                    template,
                    locale,
                    variant,
                    content,
                }
            })
            .collect();
        let desired = refuse_shared_names(desired, &self.target.name);
        Ok(Published {
            tag: live.tag,
            version: version.id,
            desired,
        })
    }

    /// Every remote template under the target's prefix, with its content (parallel reads).
    fn remote(&self) -> Result<HashMap<String, TemplateContent>, SyncError> {
        let names = self.remote_templates().list_names(&self.target.prefix)?;
        let workers = self.client_options_concurrency().clamp(1, 32);
        let chunks: Vec<&[String]> = names.chunks(names.len().div_ceil(workers).max(1)).collect();
        let results: Vec<Result<Vec<(String, TemplateContent)>, SyncError>> =
            std::thread::scope(|scope| {
                let handles: Vec<_> = chunks
                    .into_iter()
                    .map(|chunk| {
                        scope.spawn(move || {
                            let mut out = Vec::new();
                            for name in chunk {
                                if let Some(content) = self.remote_templates().get(name)? {
                                    out.push((name.clone(), content));
                                }
                            }
                            Ok(out)
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(ProviderError::Protocol("a reader thread panicked".into()).into())
                        })
                    })
                    .collect()
            });
        let mut remote = HashMap::new();
        for r in results {
            remote.extend(r?);
        }
        Ok(remote)
    }

    fn client_options_concurrency(&self) -> usize {
        self.remote_templates().read_concurrency()
    }

    fn plan_with_state(
        &self,
        state: &SyncState,
    ) -> Result<(SyncPlan, HashMap<String, Desired>), SyncError> {
        let (published, remote) = rayon::join(|| self.published(), || self.remote());
        let published = published?;
        let remote = remote?;
        let synced = state.synced(&self.target.name)?;
        let unfinished = state.unfinished_writes(&self.target.name)?;
        let items = plan::compute(
            &published.desired,
            &remote,
            &synced,
            &unfinished,
            &self.target.prefix,
        );
        let plan = SyncPlan {
            target: self.target.name.clone(),
            environment: self.target.environment.clone(),
            tag: published.tag,
            version: published.version,
            counts: SyncCounts::of(&items),
            items,
        };
        let desired = published
            .desired
            .into_iter()
            .map(|d| (d.remote_name.clone(), d))
            .collect();
        Ok((plan, desired))
    }

    /// What apply would do now. Reads only (the provider and the sync database).
    pub fn plan(&self) -> Result<SyncPlan, SyncError> {
        let state = SyncState::open(&self.root)?;
        Ok(self.plan_with_state(&state)?.0)
    }

    /// Re-plans, then makes the remote match the published version. Refuses to run while a
    /// template is blocked; skips drifted templates unless `options.overwrite_drift`
    /// (reported in `drift_skipped`). `progress` is called after every remote write.
    pub fn apply(
        &self,
        options: ApplyOptions,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> Result<ApplyReport, SyncError> {
        let mut state = SyncState::open(&self.root)?;
        // One apply per project at a time; the OS releases the lock if the process dies.
        let lock_path = self.root.join(STATE_DIR).join("apply.lock");
        let lock = std::fs::File::create(&lock_path)
            .map_err(|e| SyncError::State(format!("{}: {e}", lock_path.display())))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(SyncError::Busy),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(SyncError::State(format!("{}: {e}", lock_path.display())));
            }
        }
        let retries_before = self.remote_templates().retries();
        let (plan, desired) = self.plan_with_state(&state)?;
        let blocked: Vec<SyncItem> = plan
            .items
            .iter()
            .filter(|i| i.action == SyncAction::Blocked)
            .cloned()
            .collect();
        if !blocked.is_empty() {
            return Err(SyncError::Blocked(blocked));
        }
        let target = self.target.name.clone();
        let now = || (self.clock)();
        let (run, resumed) = state.begin_run(&target, &plan.tag, &plan.version, now())?;
        let mut report = ApplyReport {
            target: target.clone(),
            tag: plan.tag.clone(),
            run,
            resumed_runs: resumed.clone(),
            created: 0,
            updated: 0,
            deleted: 0,
            unchanged: 0,
            retries: 0,
            drift_skipped: Vec::new(),
        };
        let writes: Vec<&SyncItem> = plan
            .items
            .iter()
            .filter(|i| match i.action {
                SyncAction::Create | SyncAction::Update | SyncAction::Delete => true,
                SyncAction::Drift => options.overwrite_drift,
                SyncAction::Unchanged | SyncAction::Blocked => false,
            })
            .collect();
        let total = writes.len();
        let synced = state.synced(&target)?;
        // Record what already matches (e.g. written by a killed run) without calling out.
        for item in plan
            .items
            .iter()
            .filter(|i| i.action == SyncAction::Unchanged)
        {
            report.unchanged += 1;
            if let Some(Ok(content)) = desired.get(&item.remote_name).map(|d| &d.content) {
                let hash = content.hash();
                if synced.get(&item.remote_name).map(|s| &s.content_hash) != Some(&hash) {
                    let record = state::SyncedRecord {
                        template: item.template.clone(),
                        locale: item.locale.clone(),
                        content_hash: hash,
                    };
                    state.record(
                        &target,
                        &item.remote_name,
                        Some((&record, &plan.version)),
                        now(),
                    )?;
                }
            }
        }
        for item in plan.items.iter().filter(|i| i.action == SyncAction::Drift) {
            if !options.overwrite_drift {
                report.drift_skipped.push(item.remote_name.clone());
            }
        }
        let result = (|| {
            for (done, item) in writes.iter().enumerate() {
                let action = self.write(
                    &mut state,
                    run,
                    item,
                    desired.get(&item.remote_name),
                    &plan.version,
                )?;
                match action {
                    SyncAction::Create => report.created += 1,
                    SyncAction::Delete => report.deleted += 1,
                    _ => report.updated += 1,
                }
                progress(&SyncProgress {
                    done: done + 1,
                    total,
                    remote_name: item.remote_name.clone(),
                    action,
                });
            }
            // Names we remember that are neither published nor on the remote any more.
            for name in synced.keys() {
                if !desired.contains_key(name) && !plan.items.iter().any(|i| &i.remote_name == name)
                {
                    state.record(&target, name, None, now())?;
                }
            }
            Ok::<(), SyncError>(())
        })();
        report.retries = self.remote_templates().retries() - retries_before;
        match result {
            Ok(()) => {
                state.finish_run(run, "completed", &resumed, now())?;
                Ok(report)
            }
            Err(e) => {
                state.finish_run(run, "failed", &resumed, now())?;
                Err(e)
            }
        }
    }

    /// One remote write, recorded before and after. Returns what was done.
    fn write(
        &self,
        state: &mut SyncState,
        run: i64,
        item: &SyncItem,
        desired: Option<&Desired>,
        version: &str,
    ) -> Result<SyncAction, SyncError> {
        let target = &self.target.name;
        let name = &item.remote_name;
        let now = || (self.clock)();
        match desired.map(|d| &d.content) {
            Some(Ok(content)) => {
                let hash = content.hash();
                let record = state::SyncedRecord {
                    template: item.template.clone(),
                    locale: item.locale.clone(),
                    content_hash: hash.clone(),
                };
                let create_first = item.action == SyncAction::Create;
                let op = if create_first { "create" } else { "update" };
                let call = state.intent(run, target, name, op, Some(&hash), now())?;
                let outcome = if create_first {
                    match self.remote_templates().create(name, content) {
                        Ok(Created::Created) => Ok(("created", SyncAction::Create)),
                        // Made by an earlier attempt whose answer was lost, or by someone else.
                        Ok(Created::AlreadyExists) => self
                            .remote_templates()
                            .update(name, content)
                            .and_then(|f| match f {
                                Found::Done => Ok(("updated-existing", SyncAction::Update)),
                                Found::NotFound => Err(ProviderError::Protocol(format!(
                                    "`{name}` exists and does not exist"
                                ))),
                            }),
                        Err(e) => Err(e),
                    }
                } else {
                    match self.remote_templates().update(name, content) {
                        Ok(Found::Done) => Ok(("updated", SyncAction::Update)),
                        // Deleted meanwhile: create it again.
                        Ok(Found::NotFound) => {
                            self.remote_templates()
                                .create(name, content)
                                .map(|c| match c {
                                    Created::Created => ("created-missing", SyncAction::Create),
                                    Created::AlreadyExists => ("updated", SyncAction::Update),
                                })
                        }
                        Err(e) => Err(e),
                    }
                };
                match outcome {
                    Ok((text, action)) => {
                        state.complete(
                            call,
                            target,
                            name,
                            text,
                            Some((&record, version)),
                            now(),
                        )?;
                        Ok(action)
                    }
                    Err(e) => {
                        state.failed(call, &e.to_string(), now())?;
                        Err(e.into())
                    }
                }
            }
            Some(Err(_)) => Err(SyncError::Blocked(vec![item.clone()])),
            None => {
                let call = state.intent(run, target, name, "delete", None, now())?;
                match self.remote_templates().delete(name) {
                    Ok(found) => {
                        let text = match found {
                            Found::Done => "deleted",
                            Found::NotFound => "already-gone",
                        };
                        state.complete(call, target, name, text, None, now())?;
                        Ok(SyncAction::Delete)
                    }
                    Err(e) => {
                        state.failed(call, &e.to_string(), now())?;
                        Err(e.into())
                    }
                }
            }
        }
    }
}
