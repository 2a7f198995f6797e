//! Logic as labelled frames: the controls of a `{% if %}` or `{% for %}` row of the outline
//! (branch switcher, "preview with N items", the condition as an editable expression) and
//! the preview's banner saying what it forces. Forcing changes the preview only.

use crate::core::Core;
use crate::ipc;
use leptos::prelude::*;
use letterpress_protocol::{ForcedBranch, LoopItems};

/// The branch the preview forces for the `{% if %}` at `offset` of `path`, if any.
fn forced_branch(core: Core, path: &str, offset: usize) -> Option<u32> {
    core.logic.with(|l| {
        l.branches
            .iter()
            .find(|b| b.path == path && b.offset == offset)
            .map(|b| b.branch)
    })
}

/// The branch switcher of a condition frame: "as the data decides" or one branch, forced in
/// the preview only.
#[component]
pub fn BranchSwitcher(path: String, offset: usize, branches: Vec<String>) -> impl IntoView {
    let core = expect_context::<Core>();
    let shown = {
        let path = path.clone();
        move || forced_branch(core, &path, offset).map_or(String::new(), |b| b.to_string())
    };
    let choose = move |value: String| {
        let branch = value.parse::<u32>().ok();
        core.logic.update(|l| {
            l.branches
                .retain(|b| !(b.path == path && b.offset == offset));
            if let Some(branch) = branch {
                l.branches.push(ForcedBranch {
                    path: path.clone(),
                    offset,
                    branch,
                });
            }
        });
        core.refresh();
    };
    let label = branches.first().cloned().unwrap_or_default();
    view! {
        <select class="branch-switcher" data-test=format!("branch-{label}")
            aria-label=format!("Preview a branch of {label}") title="Preview this branch (nothing is written)"
            prop:value=shown on:click=|ev| ev.stop_propagation()
            on:change=move |ev| choose(event_target_value(&ev))>
            <option value="">"as the data decides"</option>
            {branches.iter().enumerate().map(|(i, b)| view! {
                <option value=i.to_string()>{format!("show: {b}")}</option>
            }).collect_view()}
        </select>
    }
}

/// "Preview with N items" of a loop frame: the fixture's list cut or repeated, in the
/// preview only; empty: as the fixture has it.
#[component]
pub fn LoopItemsInput(path: String, offset: usize, label: String) -> impl IntoView {
    let core = expect_context::<Core>();
    let shown = {
        let path = path.clone();
        move || {
            core.logic.with(|l| {
                l.items
                    .iter()
                    .find(|i| i.path == path && i.offset == offset)
                    .map_or(String::new(), |i| i.count.to_string())
            })
        }
    };
    let set = move |value: String| {
        let count = value.trim().parse::<u32>().ok();
        core.logic.update(|l| {
            l.items.retain(|i| !(i.path == path && i.offset == offset));
            if let Some(count) = count {
                l.items.push(LoopItems {
                    path: path.clone(),
                    offset,
                    count: count.min(1000),
                });
            }
        });
        core.refresh();
    };
    view! {
        <input type="number" class="loop-items" min="0" max="1000" placeholder="items"
            data-test=format!("items-{label}") aria-label=format!("Preview {label} with this many items")
            title="Preview with this many items (the fixture's, repeated); empty: as the fixture has it"
            prop:value=shown on:click=|ev| ev.stop_propagation()
            on:change=move |ev| set(event_target_value(&ev)) />
    }
}

/// The conditions of a frame's `if`/`elif` branches as editable expressions: Enter writes
/// one (a checked edit, one undo step; refused when it does not parse).
#[component]
pub fn ConditionEditor(path: String, offset: usize, branches: Vec<String>) -> impl IntoView {
    use letterpress_protocol::commands::ConditionEditFor;
    let core = expect_context::<Core>();
    let open = RwSignal::new(false);
    let conditions: Vec<(u32, String, String)> = branches
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let (keyword, condition) = b.split_once(' ')?;
            matches!(keyword, "if" | "elif")
                .then(|| (u32::try_from(i).ok(), keyword, condition))
                .and_then(|(i, k, c)| Some((i?, k.to_owned(), c.to_owned())))
        })
        .collect();
    let write = move |branch: u32, condition: String| {
        let path = path.clone();
        leptos::task::spawn_local(async move {
            let asked = ConditionEditFor {
                path,
                offset,
                branch,
                condition,
                request: core.preview_request(),
            };
            match ipc::call(&asked).await {
                Ok(edits) => {
                    if super::visual::apply_visual_edits(core, &edits) {
                        core.visual_notice.set(None);
                        open.set(false);
                    }
                }
                Err(e) => core.visual_notice.set(Some((e.message, true))),
            }
        });
    };
    view! {
        <button class="edit-condition" data-test="edit-condition" aria-expanded=move || open.get().to_string()
            title="Edit the condition" on:click=move |ev| { ev.stop_propagation(); open.update(|o| *o = !*o); }>"✎"</button>
        {move || open.get().then(|| {
            let write = write.clone();
            view! {
                <span class="condition-form" on:click=|ev| ev.stop_propagation()>
                    {conditions.clone().into_iter().map(|(branch, keyword, condition)| {
                        let write = write.clone();
                        view! {
                            <label>{keyword}" "
                                <input class="condition" data-test=format!("condition-{branch}") value=condition
                                    aria-label="Condition (a Jinja expression)" spellcheck="false"
                                    on:keydown=move |ev: web_sys::KeyboardEvent| {
                                        ev.stop_propagation();
                                        if ev.key() == "Enter" {
                                            write(branch, event_target_value(&ev));
                                        } else if ev.key() == "Escape" {
                                            open.set(false);
                                        }
                                    } />
                            </label>
                        }
                    }).collect_view()}
                </span>
            }
        })}
    }
}

/// Says what the preview forces, with the way back to the data as it is.
#[component]
pub fn ForcedBanner() -> impl IntoView {
    let core = expect_context::<Core>();
    let said = move || {
        core.preview
            .with(|p| p.as_ref().map(|p| p.forced.clone()).unwrap_or_default())
    };
    view! {
        {move || {
            let said = said();
            (!said.is_empty()).then(|| view! {
                <div class="banner forced" data-test="forced" role="status">
                    <strong>"Preview only: "</strong>{said.join(" · ")}
                    <button data-test="unforce" on:click=move |_| {
                        core.logic.set(Default::default());
                        core.refresh();
                    }>"Show as the data decides"</button>
                </div>
            })
        }}
    }
}
