//! A results grid (console results, exported rows) with row selection and a row detail panel.

use crate::ui;
use leptos::prelude::*;
use motus_core::file_tools::browse::Cell;

/// Column headers and rows; `selected` is the index of the selected row, if any.
pub fn grid(
    columns: Vec<String>,
    types: Vec<String>,
    rows: Vec<Vec<Cell>>,
    first_index: i64,
    selected: Option<i64>,
    on_select: impl Fn(i64) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let head = columns
        .iter()
        .zip(types.iter().chain(std::iter::repeat(&String::new())))
        .map(|(c, t)| {
            let c = c.clone();
            let t = t.clone();
            view! { <th><span class="col-name">{c}</span><span class="col-type">{t}</span></th> }
        })
        .collect_view();
    let body = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let idx = first_index + i as i64;
            let on_select = on_select.clone();
            let cells = r
                .iter()
                .map(|c| view! { <td class=format!("t-{}", c.type_name())>{ui::cell(c)}</td> })
                .collect_view();
            view! {
                <tr class="data-row" class:selected=selected == Some(idx) data-row=idx.to_string()
                    on:click=move |_| on_select(idx)>{cells}</tr>
            }
        })
        .collect_view();
    view! {
        <div class="grid-wrap">
            <table class="grid"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
        </div>
    }
}

/// Every column of one row, in full, with its declared type and storage class.
pub fn row_detail(columns: &[String], types: &[String], row: &[Cell]) -> impl IntoView {
    let items = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let v = row.get(i).cloned().unwrap_or(Cell::Null);
            let decl = types.get(i).cloned().unwrap_or_default();
            let class = v.type_name();
            let text = match &v {
                Cell::Null => "NULL".to_string(),
                other => other.text(),
            };
            view! {
                <tr>
                    <th>{c.clone()}</th>
                    <td class="col-type">{decl}</td>
                    <td class="col-type">{class}</td>
                    <td><pre class="value">{text}</pre></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="row-detail" id="row-detail">
            <h3>"Row detail"</h3>
            <table><thead><tr><th>"column"</th><th>"declared type"</th><th>"stored as"</th><th>"value"</th></tr></thead>
            <tbody>{items}</tbody></table>
        </section>
    }
}
