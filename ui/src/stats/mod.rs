//! The Stats screen: what `letterpress send` did, read from the project's outbox — per
//! template × variant × locale (sent, failed, retried, in doubt, waiting), and a chart per
//! template of what was sent and failed each day.

use crate::core::*;
use crate::ipc;
use leptos::prelude::*;
use letterpress_protocol::commands::SendStats;
use letterpress_protocol::send::{DayStats, OutboxStats};
use std::collections::BTreeMap;

/// The Stats screen (Stats mode).
#[component]
pub fn StatsScreen() -> impl IntoView {
    let core = expect_context::<Core>();
    let stats = RwSignal::new(None::<Result<Option<OutboxStats>, String>>);
    let load = move || {
        leptos::task::spawn_local(async move {
            let read = ipc::call(&SendStats {}).await.map_err(|e| e.message);
            stats.set(Some(read));
        });
    };
    // Entering Stats mode (or a project change while in it) reads the outbox again.
    Effect::new(move |_| {
        core.project_epoch.track();
        if core.mode.get() == Mode::Stats {
            load();
        }
    });
    view! {
        <section class="stats-screen" data-test="stats-screen">
            <div class="sync-head">
                <h2>"Stats"</h2>
                <span class="muted">"What letterpress send did, from the project's outbox"</span>
                <button data-test="stats-refresh" on:click=move |_| load()>"Refresh"</button>
            </div>
            {move || match stats.get() {
                None => view! { <p class="muted">"Reading the outbox…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="banner" data-test="stats-error">{e}</p> }.into_any(),
                Some(Ok(None)) => view! {
                    <p class="muted" data-test="stats-empty">
                        "Nothing sent yet: "<code>"letterpress send MESSAGES.jsonl --smtp URL"</code>
                        " fills the outbox this screen reads."
                    </p>
                }.into_any(),
                Some(Ok(Some(s))) => view! { <StatsView stats=s /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn StatsView(stats: OutboxStats) -> impl IntoView {
    let variant = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let rows = stats
        .rows
        .iter()
        .map(|r| {
            let key = format!("{}-{}-{}", r.template, variant(&r.variant), r.locale);
            view! {
                <tr data-test=format!("stats-row-{key}")>
                    <th scope="row">{r.template.clone()}</th>
                    <td>{variant(&r.variant)}</td>
                    <td>{r.locale.clone()}</td>
                    <td class="num" data-test="stats-sent">{r.sent}</td>
                    <td class="num" data-test="stats-failed">{r.failed}</td>
                    <td class="num" data-test="stats-retried">{r.retried}</td>
                    <td class="num">{r.in_doubt}</td>
                    <td class="num">{r.waiting}</td>
                </tr>
            }
        })
        .collect_view();
    // One chart per template: its days, every variant and locale together.
    let mut by_template: BTreeMap<String, BTreeMap<String, (u64, u64, u64)>> = BTreeMap::new();
    for DayStats {
        day,
        template,
        sent,
        failed,
        retried,
        ..
    } in &stats.days
    {
        let at = by_template
            .entry(template.clone())
            .or_default()
            .entry(day.clone())
            .or_default();
        at.0 += sent;
        at.1 += failed;
        at.2 += retried;
    }
    let charts = by_template
        .into_iter()
        .map(|(template, days)| view! { <DayChart template=template days=days /> })
        .collect_view();
    view! {
        <table class="stats-table" data-test="stats-table">
            <caption class="muted">"Per template × variant × locale"</caption>
            <thead><tr>
                <th scope="col">"Template"</th><th scope="col">"Variant"</th><th scope="col">"Locale"</th>
                <th scope="col">"Sent"</th><th scope="col">"Failed"</th><th scope="col">"Retried"</th>
                <th scope="col">"In doubt"</th><th scope="col">"Waiting"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <p class="stats-legend muted">"Per day (UTC): "
            <span class="swatch sent"></span>"sent "<span class="swatch failed"></span>"failed"
            " — hover a bar for its retries"</p>
        <div class="stats-charts">{charts}</div>
    }
}

/// Bars per day (UTC): sent below, failed stacked above; retries in the label.
#[component]
fn DayChart(template: String, days: BTreeMap<String, (u64, u64, u64)>) -> impl IntoView {
    const HEIGHT: f64 = 120.0;
    const BAR: f64 = 28.0;
    const GAP: f64 = 14.0;
    let most = days
        .values()
        .map(|(s, f, _)| s + f)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let width = (days.len() as f64) * (BAR + GAP) + GAP;
    let total: u64 = days.values().map(|(s, _, _)| s).sum();
    let failed: u64 = days.values().map(|(_, f, _)| f).sum();
    let label = format!(
        "{template}: {total} sent, {failed} failed over {} day(s)",
        days.len()
    );
    let bars = days
        .into_iter()
        .enumerate()
        .map(|(i, (day, (sent, failed, retried)))| {
            let x = GAP + i as f64 * (BAR + GAP);
            let sent_h = HEIGHT * sent as f64 / most;
            let failed_h = HEIGHT * failed as f64 / most;
            let title = format!("{day}: {sent} sent, {failed} failed, {retried} retried");
            view! {
                <g data-test="stats-bar" data-day=day.clone()>
                    <title>{title}</title>
                    <rect class="sent" x=x y=HEIGHT - sent_h width=BAR height=sent_h></rect>
                    <rect class="failed" x=x y=HEIGHT - sent_h - failed_h width=BAR height=failed_h></rect>
                    <text x=x + BAR / 2.0 y=HEIGHT + 14.0 text-anchor="middle">{day.get(5..).unwrap_or(&day).to_owned()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="stats-chart" data-test=format!("stats-chart-{template}")>
            <figcaption>{label.clone()}</figcaption>
            <svg role="img" aria-label=label width=width height=HEIGHT + 20.0
                viewBox=format!("0 0 {width} {}", HEIGHT + 20.0)>
                {bars}
            </svg>
        </figure>
    }
}
