//! The page and selection live in the URL's fragment (`#/table/evidence?sort=id&page=2`), so a
//! reload or a shared link returns to them once the same file is opened. The fragment is never
//! sent to any server.

use leptos::prelude::*;
use std::collections::BTreeMap;

/// A parsed fragment: path segments and query parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Route {
    pub path: Vec<String>,
    pub params: BTreeMap<String, String>,
}

fn decode(s: &str) -> String {
    js_sys::decode_uri_component(&s.replace('+', " "))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| s.to_string())
}

fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

impl Route {
    pub fn parse(hash: &str) -> Route {
        let h = hash.trim_start_matches('#').trim_start_matches('/');
        let (path, query) = h.split_once('?').unwrap_or((h, ""));
        Route {
            path: path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(decode)
                .collect(),
            params: query
                .split('&')
                .filter(|s| !s.is_empty())
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        }
    }

    pub fn to_hash(&self) -> String {
        let path: Vec<String> = self.path.iter().map(|s| encode(s)).collect();
        let mut out = format!("#/{}", path.join("/"));
        let query: Vec<String> = self
            .params
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        if !query.is_empty() {
            out.push('?');
            out.push_str(&query.join("&"));
        }
        out
    }

    pub fn page(&self) -> &str {
        self.path.first().map(String::as_str).unwrap_or("")
    }

    pub fn arg(&self) -> Option<&str> {
        self.path.get(1).map(String::as_str)
    }

    pub fn param(&self, key: &str) -> String {
        self.params.get(key).cloned().unwrap_or_default()
    }

    pub fn param_i64(&self, key: &str) -> i64 {
        self.params
            .get(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    pub fn to(path: &[&str]) -> Route {
        Route {
            path: path.iter().map(|s| s.to_string()).collect(),
            params: BTreeMap::new(),
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<String>) -> Route {
        self.params.insert(key.to_string(), value.into());
        self
    }

    pub fn without(mut self, key: &str) -> Route {
        self.params.remove(key);
        self
    }
}

pub fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The route signal, kept in step with the address bar.
#[derive(Clone, Copy)]
pub struct Router {
    pub route: RwSignal<Route>,
}

impl Router {
    pub fn install() -> Router {
        let route = RwSignal::new(Route::parse(&current_hash()));
        let handle = window_event_listener(leptos::ev::hashchange, move |_| {
            let r = Route::parse(&current_hash());
            if route.get_untracked() != r {
                route.set(r);
            }
        });
        std::mem::forget(handle);
        Router { route }
    }

    /// Goes to a route (a new history entry).
    pub fn go(&self, r: Route) {
        let hash = r.to_hash();
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_hash(&hash);
        }
        self.route.set(r);
    }

    /// Changes the route without a new history entry (typing, paging).
    pub fn replace(&self, r: Route) {
        let hash = r.to_hash();
        if let Some(w) = web_sys::window() {
            if let Ok(h) = w.history() {
                let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash));
            }
        }
        self.route.set(r);
    }
}

pub fn router() -> Router {
    expect_context::<Router>()
}
