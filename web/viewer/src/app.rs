//! The page frame: the file picker and drop target, the progress of opening, the navigation,
//! and the page the URL names.

use crate::client::{self, WorkerSignals};
use crate::pages;
use crate::protocol::{Failure, Opened, Request};
use crate::route::{Route, Router};
use crate::ui;
use leptos::prelude::*;
use motus_core::browse::DatabaseKind;
use wasm_bindgen::JsCast;
use web_sys::File;

/// What every page can see.
#[derive(Clone, Copy)]
pub struct AppState {
    pub db: RwSignal<Option<Opened>>,
    pub opening: RwSignal<bool>,
    pub open_error: RwSignal<Option<Failure>>,
    pub worker: WorkerSignals,
    /// Bumped on each successful open, so pages fetch again.
    pub generation: RwSignal<u32>,
}

pub fn state() -> AppState {
    expect_context::<AppState>()
}

impl AppState {
    pub fn is_motus(&self) -> bool {
        self.db.with(|d| {
            d.as_ref()
                .is_some_and(|o| o.info.kind == DatabaseKind::Motus)
        })
    }
}

const MOTUS_PAGES: &[(&str, &str)] = &[
    ("overview", "Overview"),
    ("roadmap", "Roadmap"),
    ("graph", "Graph"),
    ("work", "Work items"),
    ("programs", "Programs"),
    ("audit", "Audit log"),
];
const GENERIC_PAGES: &[(&str, &str)] = &[("tables", "Tables"), ("console", "SQL console")];

fn open_file(st: AppState, router: Router, file: File) {
    st.opening.set(true);
    st.open_error.set(None);
    st.worker.progress.set(None);
    let name = file.name();
    let size = file.size();
    leptos::task::spawn_local(async move {
        let req = Request::Open { name, size };
        let result = client::client().call::<Opened>(&req, Some(&file)).await;
        st.opening.set(false);
        match result {
            Ok(opened) => {
                let motus = opened.info.kind == DatabaseKind::Motus;
                st.db.set(Some(opened));
                st.generation.update(|g| *g += 1);
                let r = router.route.get_untracked();
                let known_motus = MOTUS_PAGES.iter().any(|(p, _)| *p == r.page());
                let known_generic =
                    GENERIC_PAGES.iter().any(|(p, _)| *p == r.page()) || r.page() == "table";
                if !(known_generic || (motus && known_motus)) {
                    router.go(Route::to(&[if motus { "overview" } else { "tables" }]));
                }
            }
            Err(f) => st.open_error.set(Some(f)),
        }
    });
}

/// What an open failure means for the person who chose the file.
fn explain_open_failure(f: &Failure) -> String {
    match f.code.as_str() {
        "not_a_database" => "This file is not a SQLite database, so it cannot be shown. Choose your coordination.db (by default ~/.motus/coordination.db); the file you had open before, if any, is still shown.".into(),
        "corrupt" => "This SQLite file is damaged and cannot be read. Run `motus doctor` on the original file, or restore it from a backup; then open it again.".into(),
        _ => format!("The file could not be opened. Check that it is a complete copy of a SQLite database and try again."),
    }
}

#[component]
pub fn App() -> impl IntoView {
    let worker = WorkerSignals {
        progress: RwSignal::new(None),
        fatal: RwSignal::new(None),
    };
    client::start(worker);
    let st = AppState {
        db: RwSignal::new(None),
        opening: RwSignal::new(false),
        open_error: RwSignal::new(None),
        worker,
        generation: RwSignal::new(0),
    };
    provide_context(st);
    let router = Router::install();
    provide_context(router);

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
        if let Some(file) = ev
            .data_transfer()
            .and_then(|dt| dt.files())
            .and_then(|files| files.get(0))
        {
            open_file(st, router, file);
        }
    });
    std::mem::forget((over, leave, drop));

    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = ev.target().unwrap().unchecked_into();
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            open_file(st, router, file);
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
            view! {
                <div class="file-info" data-kind=format!("{:?}", o.info.kind).to_lowercase()>
                    <span class="file-name">{o.name.clone()}</span>
                    <span class="file-meta">{format!("{} · {}", ui::human_bytes(o.size), kind)}</span>
                    <span class="file-meta" id="open-timing">{format!("opened in {:.0} ms", o.read_ms + o.open_ms)}</span>
                </div>
            }
        })
    };

    let notice = move || {
        st.db.get().and_then(|o| o.info.notice).map(|n| {
            view! { <div class="notice" id="db-notice" role="status">{n}</div> }
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
                    <p class="privacy">"The file never leaves your browser: it is read into memory here, opened read-only, and nothing is uploaded. Your copy is never changed."</p>
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
                <input type="file" id="dbfile" class="visually-hidden" on:change=on_pick />
            </header>
            {fatal}
            {progress}
            {open_error}
            {notice}
            <main>{body}</main>
            <div class="drop-hint">"Drop the database file to open it"</div>
        </div>
    }
}
