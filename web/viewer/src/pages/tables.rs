//! Every table and view: a list with row counts, and one object's rows with paging, sorting,
//! filters by column, column types, row detail and export. All of it lives in the URL:
//! `#/table/<name>?sort=<col>&desc=1&f=<filters>&page=<n>&row=<index>`.

use crate::client::{client, fetch, Load};
use crate::pages::grid;
use crate::protocol::Request;
use crate::route::{router, Route};
use crate::state::state;
use crate::ui;
use leptos::prelude::*;
use motus_core::file_tools::browse::{
    ExportFormat, Filter, FilterOp, ObjectInfo, Page, PageQuery, Sort,
};

pub const PAGE_SIZE: i64 = 50;

fn enc(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}
fn dec(s: &str) -> String {
    js_sys::decode_uri_component(s)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Filters in the URL: `col:op:value` joined by `;`, each part URI-encoded.
pub fn filters_to_param(filters: &[Filter]) -> String {
    filters
        .iter()
        .map(|f| format!("{}:{}:{}", enc(&f.column), f.op.name(), enc(&f.value)))
        .collect::<Vec<_>>()
        .join(";")
}

pub fn filters_from_param(s: &str) -> Vec<Filter> {
    s.split(';')
        .filter_map(|part| {
            let mut it = part.splitn(3, ':');
            let column = dec(it.next()?);
            let op = FilterOp::parse(it.next()?)?;
            let value = dec(it.next().unwrap_or(""));
            Some(Filter { column, op, value })
        })
        .collect()
}

fn query_from_route(r: &Route) -> Option<PageQuery> {
    let object = r.arg()?.to_string();
    let sort = r
        .params
        .get("sort")
        .filter(|s| !s.is_empty())
        .map(|c| Sort {
            column: c.clone(),
            descending: r.param("desc") == "1",
        });
    let page = r.param_i64("page").max(1);
    Some(PageQuery {
        object,
        sort,
        filters: filters_from_param(&r.param("f")),
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    })
}

pub fn page() -> impl IntoView {
    let st = state();
    let rt = router();
    let objects = fetch::<Vec<ObjectInfo>>(move || {
        st.generation.track();
        Some(Request::Objects)
    });
    let selected_object = Memo::new(move |_| rt.route.with(|r| r.arg().map(str::to_string)));
    let sidebar_filter = RwSignal::new(String::new());
    let sidebar = move || {
        ui::loaded(objects, move |list: Vec<ObjectInfo>| {
            let current = selected_object.get();
            let needle = sidebar_filter.get().to_lowercase();
            list.into_iter()
                .filter(|o| needle.is_empty() || o.name.to_lowercase().contains(&needle))
                .map(|o| {
                    let href = Route::to(&["table", &o.name]).to_hash();
                    let active = current.as_deref() == Some(o.name.as_str());
                    let count = if o.error.is_some() { "unreadable" } else if o.kind == "view" { "view" } else { "" };
                    let name = o.name.clone();
                    let key = o.name.clone();
                    view! {
                        <li><a href=href class:active=active data-object=key>
                            <span class="obj-name">{name}</span><span class="obj-count">{count}</span>
                        </a></li>
                    }
                })
                .collect_view()
        })
    };
    let main = move || match selected_object.get() {
        None => overview_of_objects(objects).into_any(),
        Some(_) => table_view().into_any(),
    };
    view! {
        <div class="split" data-page="tables">
            <aside class="sidebar">
                <input type="search" placeholder="Find a table or view" class="sidebar-filter"
                    prop:value=move || sidebar_filter.get()
                    on:input=move |ev| sidebar_filter.set(event_target_value(&ev)) />
                <ul class="object-list">{sidebar}</ul>
            </aside>
            <section class="content">{main}</section>
        </div>
    }
}

fn row_count(object: String) -> impl IntoView {
    let st = state();
    let n = fetch::<i64>(move || {
        st.generation.track();
        Some(Request::RowCount {
            object: object.clone(),
        })
    });
    move || match n.get() {
        Load::Loading => view! { <span class="loading-inline">"…"</span> }.into_any(),
        Load::Ready(n) => {
            view! { <span class="row-count" data-count=n.to_string()>{n}</span> }.into_any()
        }
        Load::Failed(f) => {
            view! { <span class="error-inline" title=f.message.clone()>"not counted"</span> }
                .into_any()
        }
    }
}

fn overview_of_objects(objects: ReadSignal<Load<Vec<ObjectInfo>>>) -> impl IntoView {
    ui::loaded(objects, |list: Vec<ObjectInfo>| {
        let tables = list.iter().filter(|o| o.kind == "table").count();
        let views = list.len() - tables;
        let rows = list
            .into_iter()
            .map(|o| {
                let href = Route::to(&["table", &o.name]).to_hash();
                // Counts come one by one after the list is shown; a view is counted only on
                // request (its query may be slow, or never end).
                let count = match (&o.error, o.kind.as_str()) {
                    (Some(e), _) => view! { <span class="error-inline" title=e.clone()>"cannot be read: "{e.clone()}</span> }.into_any(),
                    (None, "table") => row_count(o.name.clone()).into_any(),
                    (None, _) => view! { <span class="hint">"open it to count"</span> }.into_any(),
                };
                view! {
                    <tr data-object-row=o.name.clone() class:broken=o.error.is_some()>
                        <td><a href=href>{o.name.clone()}</a></td>
                        <td>{o.kind.clone()}</td>
                        <td class="num">{count}</td>
                        <td class="num">{o.columns.len()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <h2>{format!("{tables} tables and {views} views")}</h2>
            <table class="grid objects"><thead><tr><th>"name"</th><th>"kind"</th><th>"rows"</th><th>"columns"</th></tr></thead>
            <tbody>{rows}</tbody></table>
        }
    })
}

fn table_view() -> impl IntoView {
    let st = state();
    let rt = router();
    let query = Memo::new(move |_| rt.route.with(query_from_route));
    let data = fetch::<Page>(move || {
        st.generation.track();
        query.get().map(|query| Request::Page { query })
    });
    let selected_row = Memo::new(move |_| {
        rt.route
            .with(|r| r.params.get("row").and_then(|v| v.parse::<i64>().ok()))
    });
    let export_error = RwSignal::new(None::<String>);
    let export = move |format: ExportFormat| {
        let Some(mut q) = query.get_untracked() else {
            return;
        };
        q.offset = 0;
        leptos::task::spawn_local(async move {
            let name = format!("{}.{}", ui::file_stem(&q.object), format.extension());
            match client()
                .call::<String>(&Request::ExportObject { query: q, format }, None)
                .await
            {
                Ok(text) => {
                    export_error.set(None);
                    ui::download(&name, format.mime(), &text)
                }
                Err(f) => export_error.set(Some(f.message)),
            }
        });
    };

    let body = move || {
        ui::loaded(data, move |p: Page| {
            let route = rt.route.get_untracked();
            let columns: Vec<String> = p.columns.iter().map(|c| c.name.clone()).collect();
            let types: Vec<String> = p
                .columns
                .iter()
                .map(|c| {
                    let mut t = if c.decl_type.is_empty() {
                        "any".to_string()
                    } else {
                        c.decl_type.clone()
                    };
                    if c.primary_key > 0 {
                        t.push_str(" · key");
                    }
                    if c.not_null {
                        t.push_str(" · not null");
                    }
                    t
                })
                .collect();
            let pages = ((p.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
            let page_no = p.offset / PAGE_SIZE + 1;
            let sort_col = route.param("sort");
            let desc = route.param("desc") == "1";
            let header = columns
                .iter()
                .zip(types.iter())
                .map(|(c, t)| {
                    let c2 = c.clone();
                    let arrow = if sort_col == *c { if desc { " ▼" } else { " ▲" } } else { "" };
                    let (sort_col, c3) = (sort_col.clone(), c.clone());
                    let click = move |_| {
                        let r = rt.route.get_untracked().without("row").without("page");
                        let next = if sort_col != c3 {
                            r.with("sort", c3.clone()).without("desc")
                        } else if !desc {
                            r.with("desc", "1")
                        } else {
                            r.without("sort").without("desc")
                        };
                        rt.replace(next);
                    };
                    view! {
                        <th>
                            <button class="sort" data-sort=c2.clone() on:click=click>{c2.clone()}{arrow}</button>
                            <span class="col-type">{t.clone()}</span>
                        </th>
                    }
                })
                .collect_view();
            let selected = selected_row.get();
            let detail = selected.and_then(|s| {
                let i = s - p.offset;
                (i >= 0 && (i as usize) < p.rows.len())
                    .then(|| grid::row_detail(&columns, &types, &p.rows[i as usize]))
            });
            let rows = p
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let idx = p.offset + i as i64;
                    let cells = r
                        .iter()
                        .map(|c| view! { <td class=format!("t-{}", c.type_name())>{ui::cell(c)}</td> })
                        .collect_view();
                    let click = move |_| {
                        let r = rt.route.get_untracked();
                        let next = if selected == Some(idx) { r.without("row") } else { r.with("row", idx.to_string()) };
                        rt.replace(next);
                    };
                    view! { <tr class="data-row" class:selected=selected == Some(idx) data-row=idx.to_string() on:click=click>{cells}</tr> }
                })
                .collect_view();
            let go_page = move |n: i64| {
                let r = rt.route.get_untracked().without("row");
                rt.replace(if n <= 1 {
                    r.without("page")
                } else {
                    r.with("page", n.to_string())
                });
            };
            view! {
                <div class="table-head">
                    <h2><span class="obj-title">{p.object.clone()}</span>" "<small>{p.kind.clone()}</small></h2>
                    <span class="total" id="row-total" data-total=p.total.to_string()>{format!("{} rows", p.total)}</span>
                </div>
                {filter_bar(columns.clone())}
                <div class="grid-wrap">
                    <table class="grid"><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>
                </div>
                <div class="pager">
                    <button id="prev-page" disabled={page_no <= 1} on:click=move |_| go_page(page_no - 1)>"‹ Previous"</button>
                    <span id="page-of">{format!("Page {page_no} of {pages}")}</span>
                    <button id="next-page" disabled={page_no >= pages} on:click=move |_| go_page(page_no + 1)>"Next ›"</button>
                </div>
                {detail}
            }
        })
    };

    view! {
        <div class="table-view">
            <div class="toolbar">
                <button id="export-csv" on:click=move |_| export(ExportFormat::Csv)>"Export CSV"</button>
                <button id="export-json" on:click=move |_| export(ExportFormat::Json)>"Export JSON"</button>
                <span class="hint">"Exports every row matching the filters, in the current order."</span>
            </div>
            {move || export_error.get().map(|m| view! { <div class="error" role="alert">{m}</div> })}
            {body}
        </div>
    }
}

fn filter_bar(columns: Vec<String>) -> impl IntoView {
    let rt = router();
    let current = filters_from_param(&rt.route.get_untracked().param("f"));
    let column = RwSignal::new(columns.first().cloned().unwrap_or_default());
    let op = RwSignal::new(FilterOp::Contains);
    let value = RwSignal::new(String::new());
    let set_filters = move |fs: Vec<Filter>| {
        let r = rt.route.get_untracked().without("row").without("page");
        rt.replace(if fs.is_empty() {
            r.without("f")
        } else {
            r.with("f", filters_to_param(&fs))
        });
    };
    let current2 = current.clone();
    let add = move || {
        let mut fs = current2.clone();
        fs.push(Filter {
            column: column.get_untracked(),
            op: op.get_untracked(),
            value: value.get_untracked(),
        });
        set_filters(fs);
    };
    let add2 = add.clone();
    let chips = current
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let all = current.clone();
            let label = if f.op.takes_value() {
                format!("{} {} “{}”", f.column, f.op.label(), f.value)
            } else {
                format!("{} {}", f.column, f.op.label())
            };
            view! {
                <span class="chip" data-filter=i.to_string()>{label}
                    <button class="chip-x" title="Remove this filter" on:click=move |_| {
                        let mut fs = all.clone();
                        fs.remove(i);
                        set_filters(fs);
                    }>"×"</button>
                </span>
            }
        })
        .collect_view();
    let col_options = columns
        .into_iter()
        .map(|c| view! { <option value=c.clone()>{c.clone()}</option> })
        .collect_view();
    let op_options = FilterOp::ALL
        .iter()
        .map(|o| view! { <option value=o.name()>{o.label()}</option> })
        .collect_view();
    view! {
        <div class="filter-bar">
            <select id="filter-column" on:change=move |ev| column.set(event_target_value(&ev))>{col_options}</select>
            <select id="filter-op" on:change=move |ev| {
                if let Some(o) = FilterOp::parse(&event_target_value(&ev)) { op.set(o) }
            }>{op_options}</select>
            <input id="filter-value" type="text" placeholder="value"
                disabled=move || !op.get().takes_value()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { add2() } />
            <button id="filter-add" on:click=move |_| add()>"Add filter"</button>
            {chips}
        </div>
    }
}
