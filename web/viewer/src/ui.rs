//! Small view helpers shared by the pages. Everything from the database is put into the page
//! as text nodes (Leptos escapes text); nothing is ever inserted as HTML.

use crate::client::Load;
use crate::protocol::Failure;
use leptos::prelude::*;
use motus_core::browse::Cell;
use wasm_bindgen::JsCast;

/// Shows a worker answer: a spinner while loading, a message on failure, `f` when ready.
pub fn loaded<T, V>(
    data: ReadSignal<Load<T>>,
    f: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || match data.get() {
        Load::Loading => view! { <p class="loading">"Loading…"</p> }.into_any(),
        Load::Failed(f) => failure(&f).into_any(),
        Load::Ready(v) => view! { <div class="loaded">{f(v)}</div> }.into_any(),
    }
}

/// A failure, with what to do next.
pub fn failure(f: &Failure) -> impl IntoView {
    let msg = f.message.clone();
    let code = f.code.clone();
    view! {
        <div class="error" role="alert" data-code=code>
            <strong>"Could not show this: "</strong>
            <span class="error-message">{msg}</span>
        </div>
    }
}

/// One cell for a grid: NULL shown as a dim marker, long text cut (the row detail shows it all).
pub fn cell(c: &Cell) -> AnyView {
    match c {
        Cell::Null => view! { <span class="null">"NULL"</span> }.into_any(),
        Cell::Blob(hex) => {
            let n = hex.len() / 2;
            view! { <span class="blob">{format!("blob, {}", human_bytes(n as f64))}</span> }.into_any()
        }
        Cell::Large { class, bytes } => view! {
            <span class="large" data-large=bytes.to_string()>{format!("{class}, {} (not loaded)", human_bytes(*bytes as f64))}</span>
        }
        .into_any(),
        other => {
            let t = other.text();
            let short: String = if t.chars().count() > 120 {
                t.chars().take(120).collect::<String>() + "…"
            } else {
                t
            };
            view! { <span>{short}</span> }.into_any()
        }
    }
}

/// Offers text as a file download. The data goes from memory to a `blob:` URL of this page;
/// nothing is sent anywhere.
pub fn download(file_name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let doc = leptos::prelude::document();
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(file_name);
        a.set_attribute("data-export", file_name).ok();
        if let Some(body) = doc.body() {
            let _ = body.append_child(&a);
            a.click();
            let _ = body.remove_child(&a);
        }
    }
    // Revoke later: the download needs the URL for a moment.
    let cb = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = leptos::prelude::window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 60_000);
}

/// A file name part made from a table or view name.
pub fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A badge for a status or state word.
pub fn badge(word: &str) -> impl IntoView {
    let class = format!("badge badge-{}", file_stem(word));
    let w = word.to_string();
    view! { <span class=class>{w}</span> }
}

/// Sizes in binary units, labelled as such (1 MiB = 1,048,576 bytes).
pub fn human_bytes(n: f64) -> String {
    const K: f64 = 1024.0;
    if n >= K * K * K {
        format!("{:.2} GiB", n / K / K / K)
    } else if n >= K * K {
        format!("{:.1} MiB", n / K / K)
    } else if n >= K {
        format!("{:.1} KiB", n / K)
    } else {
        format!("{n} bytes")
    }
}

/// "Items a–b of n" with previous/next buttons; `go` gets the new offset.
pub fn pager(
    offset: usize,
    shown: usize,
    total: usize,
    go: impl Fn(usize) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let page = shown.max(1);
    let prev = offset.saturating_sub(page.max(200));
    let next = offset + shown;
    let go2 = go.clone();
    let label = if total == 0 {
        "nothing matches".to_string()
    } else {
        format!("{}–{} of {}", offset + 1, offset + shown, total)
    };
    view! {
        <div class="pager">
            <button class="pager-prev" disabled={offset == 0} on:click=move |_| go(prev)>"← Previous"</button>
            <span class="pager-label" data-total=total.to_string()>{label}</span>
            <button class="pager-next" disabled={next >= total} on:click=move |_| go2(next)>"Next →"</button>
        </div>
    }
}

/// An estimated count rounded to what the estimate can tell (two significant digits).
pub fn approx(n: i64) -> String {
    if n < 100 {
        return n.to_string();
    }
    let digits = (n as f64).log10().floor() as u32;
    let unit = 10i64.pow(digits - 1);
    let r = (n + unit / 2) / unit * unit;
    if r >= 1_000_000 {
        format!("{:.1}M", r as f64 / 1e6)
    } else if r >= 10_000 {
        format!("{}k", r / 1000)
    } else {
        r.to_string()
    }
}
