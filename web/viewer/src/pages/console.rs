//! A read-only SQL console: one statement at a time, results in a grid, clear errors, export
//! of the result. The statement is kept in the URL (`#/console?sql=…`) once it has run.

use crate::client::client;
use crate::pages::grid;
use crate::protocol::{Failure, Request};
use crate::route::router;
use crate::state::state;
use crate::ui;
use leptos::prelude::*;
use motus_core::file_tools::browse::{self, ExportFormat, QueryResult};

#[derive(Clone, PartialEq)]
enum Outcome {
    Idle,
    Running,
    Done(QueryResult),
    Failed(Failure),
}

pub fn page() -> impl IntoView {
    let st = state();
    let rt = router();
    let initial = rt.route.get_untracked().param("sql");
    let sql = RwSignal::new(if initial.is_empty() {
        "SELECT name, type FROM sqlite_master ORDER BY type, name".to_string()
    } else {
        initial.clone()
    });
    let outcome = RwSignal::new(Outcome::Idle);
    let selected = RwSignal::new(None::<i64>);
    let run = move || {
        let text = sql.get_untracked();
        rt.replace(rt.route.get_untracked().with("sql", text.clone()));
        outcome.set(Outcome::Running);
        selected.set(None);
        leptos::task::spawn_local(async move {
            let r = client()
                .call::<QueryResult>(&Request::Console { sql: text }, None)
                .await;
            outcome.set(match r {
                Ok(q) => Outcome::Done(q),
                Err(f) => Outcome::Failed(f),
            });
        });
    };
    // A link may carry a statement, but nothing runs from a URL: it is only filled in, and
    // runs when the person presses Run.
    let from_link = !initial.is_empty();
    let _ = st;
    let export = move |format: ExportFormat| {
        if let Outcome::Done(q) = outcome.get_untracked() {
            let text = browse::export(&q.columns, &q.rows, format);
            ui::download(
                &format!("query-result.{}", format.extension()),
                format.mime(),
                &text,
            );
        }
    };
    let result = move || {
        match outcome.get() {
        Outcome::Idle if from_link => view! { <p class="hint" id="console-from-link">"This statement came with the link you opened. Read it, then press Run if you want to run it."</p> }.into_any(),
        Outcome::Idle => view! { <p class="hint">"Press Run (or Ctrl+Enter). Only reading statements run; the opened copy cannot be changed."</p> }.into_any(),
        Outcome::Running => view! { <p class="loading">"Running… (Cancel stops it)"</p> }.into_any(),
        Outcome::Failed(f) => view! {
            <div class="error" id="console-error" role="alert" data-code=f.code.clone()>{f.message.clone()}</div>
        }.into_any(),
        Outcome::Done(q) => {
            let n = q.rows.len();
            let summary = if q.truncated {
                format!("First {n} rows shown (the result has more; add LIMIT/OFFSET to page through it)")
            } else {
                format!("{n} rows")
            };
            let sel = selected.get();
            let detail = sel.and_then(|i| q.rows.get(i as usize).map(|r| grid::row_detail(&q.columns, &[], r)));
            view! {
                <div class="loaded" id="console-result">
                    <div class="toolbar">
                        <span id="console-summary">{summary}</span>
                        <button id="console-export-csv" on:click=move |_| export(ExportFormat::Csv)>"Export CSV"</button>
                        <button id="console-export-json" on:click=move |_| export(ExportFormat::Json)>"Export JSON"</button>
                    </div>
                    {grid::grid(q.columns.clone(), Vec::new(), q.rows.clone(), 0, sel, move |i| {
                        selected.set(if selected.get_untracked() == Some(i) { None } else { Some(i) })
                    })}
                    {detail}
                </div>
            }.into_any()
        }
    }
    };
    view! {
        <section class="console" data-page="console">
            <h2>"SQL console " <small>"read-only"</small></h2>
            <textarea id="sql" rows="6" spellcheck="false"
                prop:value=move || sql.get()
                on:input=move |ev| sql.set(event_target_value(&ev))
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                        ev.prevent_default();
                        run();
                    }
                }></textarea>
            <div class="toolbar">
                <button id="run-sql" class="primary" on:click=move |_| run()>"Run"</button>
            </div>
            {result}
        </section>
    }
}
