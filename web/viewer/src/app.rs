//! The page frame: the file picker and drop target, the progress of opening, the navigation,
//! and the page the URL names.

use crate::client::{self, WorkerSignals};
use crate::pages;
use crate::protocol::{Failure, LiveInfo, Opened, Request};
use crate::route::{Route, Router};
use crate::state::{state, AppState};
use crate::ui;
use leptos::prelude::*;
use motus_core::file_tools::browse::DatabaseKind;
use wasm_bindgen::JsCast;
use web_sys::File;

const MOTUS_PAGES: &[(&str, &str)] = &[
    ("overview", "Overview"),
    ("roadmap", "Roadmap"),
    ("graph", "Graph"),
    ("work", "Work items"),
    ("programs", "Programs"),
    ("audit", "Audit log"),
];
const GENERIC_PAGES: &[(&str, &str)] = &[("tables", "Tables"), ("console", "SQL console")];

/// What is open, so Cancel (which replaces the worker) can open it again.
#[derive(Clone)]
enum OpenSource {
    Files { main: File, wal: Option<File> },
    Live(LiveInfo),
}

thread_local! {
    static CURRENT: std::cell::RefCell<Option<OpenSource>> = const { std::cell::RefCell::new(None) };
}

fn open_request(src: &OpenSource) -> (Request, Vec<File>) {
    match src {
        OpenSource::Files { main, wal } => (
            Request::Open {
                name: main.name(),
                size: main.size(),
                wal_name: wal.as_ref().map(|w| w.name()),
            },
            std::iter::once(main.clone()).chain(wal.clone()).collect(),
        ),
        OpenSource::Live(info) => (
            Request::OpenUrl {
                name: info.name.clone(),
                url: format!("live/snapshot/{}", info.snapshot),
                size: info.size,
            },
            Vec::new(),
        ),
    }
}

/// The chosen or dropped files: the database, and its `-wal` when one came with it.
fn pick_files(st: AppState, router: Router, files: Vec<File>) {
    let is_side = |f: &File| {
        let n = f.name();
        n.ends_with("-wal") || n.ends_with("-shm") || n.ends_with("-journal")
    };
    let main = files.iter().find(|f| !is_side(f)).cloned();
    let Some(main) = main else {
        st.open_error.set(Some(Failure {
            code: "only_sidecar".into(),
            message: "only a -wal, -shm or -journal file was chosen".into(),
        }));
        return;
    };
    let wal_name = format!("{}-wal", main.name());
    let wal = files
        .iter()
        .find(|f| f.name() == wal_name)
        .or_else(|| files.iter().find(|f| f.name().ends_with("-wal")))
        .cloned();
    open_source(st, router, OpenSource::Files { main, wal }, true);
}

/// Cancel: replace the worker (stopping whatever runs) and open the same database again.
pub fn cancel_and_reopen() {
    let st = state();
    client::client().restart();
    let src = CURRENT.with(|c| c.borrow().clone());
    if let Some(src) = src {
        let (req, files) = open_request(&src);
        leptos::task::spawn_local(async move {
            if let Err(f) = client::client()
                .call_with_files::<Opened>(&req, files)
                .await
            {
                st.open_error.set(Some(f));
            }
        });
    }
}

fn open_source(st: AppState, router: Router, src: OpenSource, navigate: bool) {
    let size = match &src {
        OpenSource::Files { main, .. } => main.size(),
        OpenSource::Live(i) => i.size,
    };
    let (req, files) = open_request(&src);
    // The request is spawned before the signals below change: tasks run in the order they
    // were queued, so it reaches the worker before the page re-renders its progress bar
    // (that render used to delay the open by 10–20 ms).
    leptos::task::spawn_local(async move {
        let result = client::client()
            .call_with_files::<Opened>(&req, files)
            .await;
        st.opening.set(false);
        st.worker.progress.set(None);
        match result {
            Ok(mut opened) => {
                if let OpenSource::Live(info) = &src {
                    opened.live = Some(info.clone());
                }
                CURRENT.with(|c| *c.borrow_mut() = Some(src));
                let motus = opened.info.kind == DatabaseKind::Motus;
                st.worker.fatal.set(None);
                st.notices_dismissed.set(false);
                st.db.set(Some(opened));
                st.generation.update(|g| *g += 1);
                if !navigate {
                    return;
                }
                let r = router.route.get_untracked();
                let known_motus = MOTUS_PAGES.iter().any(|(p, _)| *p == r.page());
                let known_generic =
                    GENERIC_PAGES.iter().any(|(p, _)| *p == r.page()) || r.page() == "table";
                if !(known_generic || (motus && known_motus)) {
                    router.go(Route::to(&[if motus { "overview" } else { "tables" }]));
                }
            }
            Err(f) => {
                let mut f = f;
                f.message = format!("{} ({})", f.message, ui::human_bytes(size));
                st.open_error.set(Some(f))
            }
        }
    });
    st.opening.set(true);
    st.open_error.set(None);
    st.worker.progress.set(None);
}

/// Asks `motus view` (same origin) for a snapshot of its live database; a static host
/// answers 404 and the page waits for a file as usual.
async fn live_info() -> Option<LiveInfo> {
    let resp = wasm_bindgen_futures::JsFuture::from(window().fetch_with_str("live/info"))
        .await
        .ok()?;
    let resp: web_sys::Response = resp.dyn_into().ok()?;
    if !resp.ok() {
        return None;
    }
    let text = wasm_bindgen_futures::JsFuture::from(resp.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    if v.get("ok") != Some(&serde_json::Value::Bool(true)) {
        return None;
    }
    serde_json::from_value(v).ok()
}

/// What an open failure means for the person who chose the file.
fn explain_open_failure(f: &Failure) -> String {
    let keep = " The file you had open before, if any, is still shown.";
    match f.code.as_str() {
        "not_a_database" => format!("This file is not a SQLite database, so it cannot be shown. Choose your coordination.db (by default ~/.motus/coordination.db).{keep}"),
        "corrupt" => format!("This SQLite file is damaged and cannot be read. Run `motus doctor` on the original file, or restore it from a backup; then open it again.{keep}"),
        "read_failed" => format!("The browser could not read the file. If it was moved, changed or is on a disconnected drive, choose it again.{keep}"),
        "timeout" => format!("Opening took too long and was stopped. The file's schema may be very large or damaged; try `motus doctor` on it.{keep}"),
        "only_sidecar" => "Only a -wal, -shm or -journal file was chosen. Choose the database file itself (you may choose its -wal together with it).".into(),
        "busy" => format!("The file is locked by another program. Copy it (cp ~/.motus/coordination.db /tmp/copy.db) and open the copy.{keep}"),
        _ => format!("The file could not be opened. Check that it is a complete copy of a SQLite database and try again.{keep}"),
    }
}

#[component]
pub fn App() -> impl IntoView {
    let worker = WorkerSignals {
        progress: RwSignal::new(None),
        fatal: RwSignal::new(None),
        pending: RwSignal::new(0),
    };
    client::start(worker);
    let st = AppState {
        db: RwSignal::new(None),
        opening: RwSignal::new(false),
        open_error: RwSignal::new(None),
        worker,
        generation: RwSignal::new(0),
        notices_dismissed: RwSignal::new(false),
    };
    provide_context(st);
    let router = Router::install();
    provide_context(router);
    // Served by `motus view`: open its live database at once, no file picker.
    leptos::task::spawn_local(async move {
        if let Some(info) = live_info().await {
            // Unless the person already chose a file meanwhile: theirs stays.
            if st.db.with_untracked(Option::is_none) && !st.opening.get_untracked() {
                open_source(st, router, OpenSource::Live(info), true);
            }
        }
    });

    let dragging = RwSignal::new(false);
    let over = window_event_listener(leptos::ev::dragover, move |ev| {
        ev.prevent_default();
        dragging.set(true);
    });
    let leave = window_event_listener(leptos::ev::dragleave, move |ev| {
        if ev.related_target().is_none() {
            dragging.set(false);
        }
    });
    let drop = window_event_listener(leptos::ev::drop, move |ev| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(list) = ev.data_transfer().and_then(|dt| dt.files()) {
            let files: Vec<File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
            if !files.is_empty() {
                pick_files(st, router, files);
            }
        }
    });
    std::mem::forget((over, leave, drop));

    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = ev.target().unwrap().unchecked_into();
        if let Some(list) = input.files() {
            let files: Vec<File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
            if !files.is_empty() {
                pick_files(st, router, files);
            }
        }
        // Allow choosing the same file again.
        input.set_value("");
    };

    let nav = move || {
        let current = router.route.get();
        let pages: Vec<(&str, &str)> = if st.is_motus() {
            MOTUS_PAGES.iter().chain(GENERIC_PAGES).copied().collect()
        } else if st.db.with(Option::is_some) {
            GENERIC_PAGES.to_vec()
        } else {
            Vec::new()
        };
        pages
            .into_iter()
            .map(|(p, label)| {
                let active = current.page() == p || (p == "tables" && current.page() == "table");
                let href = Route::to(&[p]).to_hash();
                view! { <a href=href class:active=active data-nav=p>{label}</a> }
            })
            .collect_view()
    };

    let file_info = move || {
        st.db.get().map(|o| {
            let kind = match o.info.kind {
                DatabaseKind::Motus => format!(
                    "Motus database, schema v{}",
                    o.info.schema_version.unwrap_or(0)
                ),
                DatabaseKind::Generic => "SQLite database".to_string(),
            };
            let live = o.live.as_ref().map(|l| {
                let when = l.taken_at.clone();
                view! { <span class="file-meta live" id="live-badge">{format!("live from motus view · snapshot {when} · reload for the newest state")}</span> }
            });
            view! {
                <div class="file-info" data-kind=format!("{:?}", o.info.kind).to_lowercase()>
                    <span class="file-name">{o.name.clone()}</span>
                    <span class="file-meta">{format!("{} · {}", ui::human_bytes(o.size), kind)}</span>
                    <span class="file-meta" id="open-timing" data-bytes-read=o.bytes_read.to_string()>{format!("opened in {:.0} ms, {} read", o.read_ms + o.open_ms, ui::human_bytes(o.bytes_read))}</span>
                    {live}
                </div>
            }
        })
    };

    let notice = move || {
        if st.notices_dismissed.get() {
            return None;
        }
        st.db.get().and_then(|o| {
            let all: Vec<String> = o.info.notice.into_iter().chain(o.notices).collect();
            (!all.is_empty()).then(|| {
                let items = all.into_iter().map(|n| view! { <p>{n}</p> }).collect_view();
                view! {
                    <div class="notice" id="db-notice" role="status">
                        {items}
                        <button class="dismiss" id="dismiss-notice" on:click=move |_| st.notices_dismissed.set(true)>"Dismiss"</button>
                    </div>
                }
            })
        })
    };

    let busy = move || {
        (st.worker.pending.get() > 0 && !st.opening.get()).then(|| {
            view! {
                <div class="busy" id="busy" role="status">
                    <span>"Working…"</span>
                    <button id="cancel-query" on:click=move |_| cancel_and_reopen()>"Cancel"</button>
                </div>
            }
        })
    };

    let progress = move || {
        st.opening.get().then(|| {
            let p = st.worker.progress.get();
            let (label, done, total) = p
                .map(|p| (p.phase, p.done, p.total))
                .unwrap_or(("Starting".into(), 0.0, 1.0));
            let pct = if total > 0.0 { (done / total * 100.0).round() } else { 0.0 };
            view! {
                <div class="progress" id="open-progress" role="progressbar" aria-valuenow=pct.to_string()>
                    <span>{format!("{label}… {pct}%")}</span>
                    <progress max="100" value=pct.to_string()></progress>
                </div>
            }
        })
    };

    let open_error = move || {
        st.open_error.get().map(|f| {
            let msg = explain_open_failure(&f);
            view! {
                <div class="error" id="open-error" role="alert" data-code=f.code.clone()>
                    <strong>{msg}</strong>
                    <div class="error-detail">{format!("Details: {}", f.message)}</div>
                </div>
            }
        })
    };

    let fatal = move || {
        st.worker
            .fatal
            .get()
            .map(|m| view! { <div class="error" role="alert" id="worker-error">{m}</div> })
    };

    let page_name = Memo::new(move |_| router.route.with(|r| r.page().to_string()));
    let body = move || {
        if st.db.with(Option::is_none) {
            return view! {
                <section class="welcome" data-page="open">
                    <h2>"Look inside a Motus database"</h2>
                    <p>"Choose your " <code>"coordination.db"</code> " (by default in " <code>"~/.motus/"</code>
                       ") or drop it anywhere on this page. Any other SQLite file can be browsed too."</p>
                    <label for="dbfile" class="button big">"Choose a database file…"</label>
                    <p class="privacy">"The file never leaves your browser: it is read in place, a page at a time, opened read-only, and nothing is uploaded. Your copy is never changed."</p>
                    <p class="hint">"A database in WAL mode keeps its newest changes in a " <code>"-wal"</code> " file beside it: choose or drop both together to see them."</p>
                </section>
            }
            .into_any();
        }
        let page = page_name.get();
        let motus = st.is_motus();
        match page.as_str() {
            "overview" if motus => pages::overview::page().into_any(),
            "roadmap" if motus => pages::roadmap::page().into_any(),
            "graph" if motus => pages::graph::page().into_any(),
            "work" if motus => pages::work::page().into_any(),
            "programs" if motus => pages::programs::page().into_any(),
            "audit" if motus => pages::audit::page().into_any(),
            "console" => pages::console::page().into_any(),
            "table" | "tables" => pages::tables::page().into_any(),
            _ => view! { <p class="loading">"Choose a page above."</p> }.into_any(),
        }
    };

    view! {
        <div class="app" class:dragging=move || dragging.get()
             data-state=move || if st.opening.get() { "opening" } else if st.db.with(Option::is_some) { "open" } else { "empty" }>
            <header>
                <h1><a href="#/">"Motus viewer"</a></h1>
                {file_info}
                <nav>{nav}</nav>
                <label class="button" for="dbfile">"Open file…"</label>
                <input type="file" id="dbfile" class="visually-hidden" multiple on:change=on_pick />
            </header>
            {busy}
            {fatal}
            {progress}
            {open_error}
            {notice}
            <main>{body}</main>
            <div class="drop-hint">"Drop the database file to open it"</div>
        </div>
    }
}
