//! The project and the editor: one-line adapters onto `StudioSession`, plus opening projects
//! (the system folder dialog, the watcher, recent projects).

use crate::blocking::{emit, lock, no_project, on_app, on_session};
use crate::{AppState, Initial, now_unix, sample_project};
use letterpress_protocol::commands::{
    BlockLibrary, ChooseProject, ConditionEditFor, CreateTemplate, DeleteTemplate, DirtyPaths,
    DropEditFor, DuplicateFixture, DuplicateTemplate, EditAndPreview, EditDocument, FileChanged,
    GetConflictSides, GetDropTargets, GetElementProperties, GetInlineText, GetOutline,
    GetProjectSnapshot, InlineTextEditFor, LocateElement, MakePartial, MjmlSchema, NewEmptyProject,
    NewProjectFromSample, OpenDocumentAt, OpenProject, OpenSample, PreviewAssets, PropertyEditFor,
    Quit, RecentProjects, RenameTemplate, RenderPreview, ResetSample, ResolveConflict, SampleCopy,
    SaveBlock, SaveDocument, StructureEditFor,
};
use letterpress_protocol::{Answer, IpcCode, IpcError, ProjectSnapshot};
use letterpress_studio::watch::watch;
use letterpress_studio::{StudioSession, copy_project, sample};
use std::path::{Path, PathBuf};
use tauri::AppHandle;

/// Opens `root`, starts watching it, and remembers it as recent.
fn open_root(app: &AppHandle, state: &AppState, root: &Path) -> Result<ProjectSnapshot, IpcError> {
    let session = StudioSession::open(root)?;
    let snapshot = session.snapshot()?;
    let watch_root = session.project().root().to_owned();
    *lock(&state.session) = Some(session);
    let shared = state.session.clone();
    let emitter = app.clone();
    let watcher = watch(&watch_root, move |changes| {
        let events = match lock(&shared).as_mut() {
            Some(session) => session.apply_changes(&changes),
            None => Vec::new(),
        };
        for event in events {
            emit::<FileChanged>(&emitter, event);
        }
    })?;
    *lock(&state.watcher) = Some(watcher);
    if let Some(local) = lock(&state.local).as_ref() {
        local.record_opened(&watch_root, &snapshot.name, now_unix())?;
    }
    Ok(snapshot)
}

/// A folder chosen in the system dialog (`None`: cancelled).
fn pick_folder(app: &AppHandle, title: &str) -> Result<Option<PathBuf>, IpcError> {
    use tauri_plugin_dialog::DialogExt;
    let Some(folder) = app.dialog().file().set_title(title).blocking_pick_folder() else {
        return Ok(None);
    };
    folder
        .into_path()
        .map(Some)
        .map_err(|e| IpcError::new(IpcCode::Io, e.to_string()))
}

#[tauri::command]
pub async fn open_project(app: AppHandle, args: OpenProject) -> Answer<OpenProject> {
    on_app(app, move |app, state| {
        let root = match args.path {
            Some(p) => PathBuf::from(p),
            None => match lock(&state.initial_project).clone() {
                Initial::Folder(p) => p,
                Initial::Sample => {
                    sample::ensure_sample_copy(&sample_project(), &data_dir(state)?)?
                }
                Initial::Welcome => return Err(no_project()),
            },
        };
        open_root(app, state, &root)
    })
    .await
}

#[tauri::command]
pub async fn choose_project(app: AppHandle, args: ChooseProject) -> Answer<ChooseProject> {
    let ChooseProject {} = args;
    on_app(app, |app, state| {
        match pick_folder(app, "Open a Letterpress project")? {
            Some(root) => open_root(app, state, &root).map(Some),
            None => Ok(None),
        }
    })
    .await
}

#[tauri::command]
pub async fn new_project_from_sample(
    app: AppHandle,
    args: NewProjectFromSample,
) -> Answer<NewProjectFromSample> {
    let NewProjectFromSample {} = args;
    on_app(app, |app, state| {
        let Some(root) = pick_folder(app, "Choose an empty folder for the new project")? else {
            return Ok(None);
        };
        copy_project(&sample_project(), &root)?;
        open_root(app, state, &root).map(Some)
    })
    .await
}

/// The user's data folder, or why there is none.
fn data_dir(state: &AppState) -> Result<PathBuf, IpcError> {
    lock(&state.data_dir).clone().ok_or_else(|| {
        IpcError::new(
            IpcCode::Io,
            "this computer gives the app no data folder for the sample copy",
        )
    })
}

#[tauri::command]
pub async fn new_empty_project(app: AppHandle, args: NewEmptyProject) -> Answer<NewEmptyProject> {
    let NewEmptyProject {} = args;
    on_app(app, |app, state| {
        let Some(root) = pick_folder(app, "Choose an empty folder for the new project")? else {
            return Ok(None);
        };
        sample::new_empty_project(&root)?;
        open_root(app, state, &root).map(Some)
    })
    .await
}

#[tauri::command]
pub async fn open_sample(app: AppHandle, args: OpenSample) -> Answer<OpenSample> {
    let OpenSample {} = args;
    on_app(app, |app, state| {
        let root = sample::ensure_sample_copy(&sample_project(), &data_dir(state)?)?;
        open_root(app, state, &root)
    })
    .await
}

#[tauri::command]
pub async fn reset_sample(app: AppHandle, args: ResetSample) -> Answer<ResetSample> {
    let ResetSample {} = args;
    on_app(app, |app, state| {
        // The copy's files are replaced: let go of them first (watcher, session).
        let data = data_dir(state)?;
        *lock(&state.watcher) = None;
        *lock(&state.session) = None;
        match sample::reset_sample_copy(&sample_project(), &data) {
            Ok(root) => open_root(app, state, &root),
            Err(e) => {
                // The old copy is still in place: open it again, and say why.
                let _ = open_root(app, state, &sample::sample_copy_path(&data));
                Err(e.into())
            }
        }
    })
    .await
}

#[tauri::command]
pub async fn sample_copy(app: AppHandle, args: SampleCopy) -> Answer<SampleCopy> {
    let SampleCopy {} = args;
    on_app(app, |_, state| {
        Ok::<_, IpcError>(
            lock(&state.data_dir)
                .as_deref()
                .and_then(sample::existing_sample_copy)
                .map(|p| p.display().to_string()),
        )
    })
    .await
}

#[tauri::command]
pub async fn recent_projects(app: AppHandle, args: RecentProjects) -> Answer<RecentProjects> {
    let RecentProjects {} = args;
    on_app(app, |_, state| match lock(&state.local).as_ref() {
        Some(local) => Ok(local.recent(10)?),
        None => Ok::<_, IpcError>(Vec::new()),
    })
    .await
}

#[tauri::command]
pub async fn project_snapshot(
    app: AppHandle,
    args: GetProjectSnapshot,
) -> Answer<GetProjectSnapshot> {
    let GetProjectSnapshot {} = args;
    on_session(app, |s| s.snapshot()).await
}

#[tauri::command]
pub async fn preview(app: AppHandle, args: RenderPreview) -> Answer<RenderPreview> {
    on_session(app, move |s| {
        Ok::<_, IpcError>(s.preview_for(&args.request, args.shown))
    })
    .await
}

#[tauri::command]
pub async fn open_document(app: AppHandle, args: OpenDocumentAt) -> Answer<OpenDocumentAt> {
    on_session(app, move |s| s.open_document(&args.path)).await
}

#[tauri::command]
pub async fn edit_document(app: AppHandle, args: EditDocument) -> Answer<EditDocument> {
    on_session(app, move |s| s.edit_document(&args.path, &args.text)).await
}

#[tauri::command]
pub async fn edit_and_preview(app: AppHandle, args: EditAndPreview) -> Answer<EditAndPreview> {
    on_session(app, move |s| match &args.change {
        Some(change) => s.change_and_preview(&args.path, change, &args.request, args.shown),
        None => s.edit_and_preview(&args.path, &args.text, &args.request, args.shown),
    })
    .await
}

#[tauri::command]
pub async fn save_document(app: AppHandle, args: SaveDocument) -> Answer<SaveDocument> {
    on_session(app, move |s| match &args.text {
        Some(text) => s.save_text(&args.path, text),
        None => s.save_document(&args.path),
    })
    .await
}

#[tauri::command]
pub async fn conflict_sides(app: AppHandle, args: GetConflictSides) -> Answer<GetConflictSides> {
    on_session(app, move |s| s.conflict_sides(&args.path)).await
}

#[tauri::command]
pub async fn resolve_conflict(app: AppHandle, args: ResolveConflict) -> Answer<ResolveConflict> {
    on_session(app, move |s| {
        s.resolve_conflict(&args.path, args.resolution)
    })
    .await
}

#[tauri::command]
pub async fn dirty_paths(app: AppHandle, args: DirtyPaths) -> Answer<DirtyPaths> {
    let DirtyPaths {} = args;
    on_session(app, |s| Ok::<_, IpcError>(s.dirty_paths())).await
}

#[tauri::command]
pub async fn create_template(app: AppHandle, args: CreateTemplate) -> Answer<CreateTemplate> {
    on_session(app, move |s| s.create_template(&args.id)).await
}

#[tauri::command]
pub async fn duplicate_template(
    app: AppHandle,
    args: DuplicateTemplate,
) -> Answer<DuplicateTemplate> {
    on_session(app, move |s| s.duplicate_template(&args.from, &args.to)).await
}

#[tauri::command]
pub async fn duplicate_fixture(app: AppHandle, args: DuplicateFixture) -> Answer<DuplicateFixture> {
    on_session(app, move |s| {
        s.duplicate_fixture(&args.template, &args.from, &args.to)
    })
    .await
}

#[tauri::command]
pub async fn rename_template(app: AppHandle, args: RenameTemplate) -> Answer<RenameTemplate> {
    on_session(app, move |s| s.rename_template(&args.from, &args.to)).await
}

#[tauri::command]
pub async fn delete_template(app: AppHandle, args: DeleteTemplate) -> Answer<DeleteTemplate> {
    on_session(app, move |s| s.delete_template(&args.id)).await
}

#[tauri::command]
pub async fn locate_element(app: AppHandle, args: LocateElement) -> Answer<LocateElement> {
    on_session(app, move |s| {
        s.locate_element(&args.path, args.offset, args.line, args.column)
    })
    .await
}

#[tauri::command]
pub async fn preview_assets(app: AppHandle, args: PreviewAssets) -> Answer<PreviewAssets> {
    let PreviewAssets {} = args;
    on_session(app, |s| Ok::<_, IpcError>(s.preview_assets())).await
}

#[tauri::command]
pub async fn element_properties(
    app: AppHandle,
    args: GetElementProperties,
) -> Answer<GetElementProperties> {
    on_session(app, move |s| {
        s.element_properties(&args.path, args.offset, &args.request)
    })
    .await
}

#[tauri::command]
pub async fn property_edit(app: AppHandle, args: PropertyEditFor) -> Answer<PropertyEditFor> {
    on_session(app, move |s| {
        s.property_edit(
            &args.path,
            args.offset,
            &args.name,
            args.value.as_deref(),
            &args.request,
        )
    })
    .await
}

#[tauri::command]
pub async fn inline_text(app: AppHandle, args: GetInlineText) -> Answer<GetInlineText> {
    on_session(app, move |s| s.inline_text(&args.path, args.offset)).await
}

#[tauri::command]
pub async fn inline_text_edit(
    app: AppHandle,
    args: InlineTextEditFor,
) -> Answer<InlineTextEditFor> {
    on_session(app, move |s| {
        s.inline_text_edit(&args.path, args.offset, &args.pieces, &args.request)
    })
    .await
}

#[tauri::command]
pub async fn condition_edit(app: AppHandle, args: ConditionEditFor) -> Answer<ConditionEditFor> {
    on_session(app, move |s| {
        s.condition_edit(
            &args.path,
            args.offset,
            args.branch,
            &args.condition,
            &args.request,
        )
    })
    .await
}

#[tauri::command]
pub async fn drop_targets(app: AppHandle, args: GetDropTargets) -> Answer<GetDropTargets> {
    on_session(app, move |s| s.drop_targets(&args.path, &args.dragged)).await
}

#[tauri::command]
pub async fn drop_edit(app: AppHandle, args: DropEditFor) -> Answer<DropEditFor> {
    on_session(app, move |s| {
        s.drop_edit(
            &args.path,
            &args.dragged,
            args.target,
            args.place,
            &args.request,
        )
    })
    .await
}

#[tauri::command]
pub async fn structure_edit(app: AppHandle, args: StructureEditFor) -> Answer<StructureEditFor> {
    on_session(app, move |s| {
        s.structure_edit(&args.path, args.offset, &args.action, &args.request)
    })
    .await
}

#[tauri::command]
pub async fn outline(app: AppHandle, args: GetOutline) -> Answer<GetOutline> {
    on_session(app, move |s| s.outline(&args.path)).await
}

#[tauri::command]
pub async fn save_block(app: AppHandle, args: SaveBlock) -> Answer<SaveBlock> {
    on_session(app, move |s| {
        s.save_block(&args.path, args.offset, &args.name)
    })
    .await
}

#[tauri::command]
pub async fn make_partial(app: AppHandle, args: MakePartial) -> Answer<MakePartial> {
    on_session(app, move |s| {
        s.make_partial(&args.path, args.offset, &args.name, &args.request)
    })
    .await
}

#[tauri::command]
pub async fn block_library(app: AppHandle, args: BlockLibrary) -> Answer<BlockLibrary> {
    let BlockLibrary {} = args;
    on_session(app, |s| Ok::<_, IpcError>(s.block_library())).await
}

#[tauri::command]
pub async fn mjml_schema(app: AppHandle, args: MjmlSchema) -> Answer<MjmlSchema> {
    let MjmlSchema {} = args;
    on_app(app, |_, _| Ok::<_, IpcError>(StudioSession::mjml_schema())).await
}

/// Leaves the app (after the UI dealt with unsaved changes).
#[tauri::command]
pub async fn quit(app: AppHandle, args: Quit) -> Answer<Quit> {
    let Quit {} = args;
    on_app(app, |app, _| {
        crate::leave(app);
        Ok::<_, IpcError>(())
    })
    .await
}
