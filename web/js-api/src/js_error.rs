//! Core errors as JavaScript `Error`s: `name` is `MotusError`, `code` is the core error kind
//! (`Error::code()`), `message` is the text the CLI prints for the same failure.

use motus_core::Error;
use wasm_bindgen::JsValue;

/// A JS `Error` carrying `code`.
pub fn js_error(code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("MotusError");
    let _ = js_sys::Reflect::set(&err, &"code".into(), &code.into());
    err.into()
}

pub fn to_js_error(e: &Error) -> JsValue {
    with_context(with_cause(js_error(e.code(), &e.to_string()), e), e)
}

/// The error's structured context (the contract's `error.context`) as `context`.
fn with_context(err: JsValue, e: &Error) -> JsValue {
    if let Some(ctx) = motus_core::answer::errors::error_context(e) {
        // Serialized here, not through `to_js` (which reports its own failures with
        // `js_error`): the error side stays below the value side.
        use serde::Serialize;
        if let Ok(v) = ctx.serialize(&serde_wasm_bindgen::Serializer::json_compatible()) {
            let _ = js_sys::Reflect::set(&err, &"context".into(), &v);
        }
    }
    err
}

/// As the CLI reports errors about a file: `<path>: <message>`.
pub fn to_js_error_at(e: &Error, path: Option<&str>) -> JsValue {
    match path {
        Some(p) => with_context(with_cause(js_error(e.code(), &format!("{p}: {e}")), e), e),
        None => to_js_error(e),
    }
}

/// A failed migration carries the error that failed it as `cause` (its own `code`).
fn with_cause(err: JsValue, e: &Error) -> JsValue {
    if let Error::MigrationFailed { .. } = e {
        let _ = js_sys::Reflect::set(&err, &"cause".into(), &to_js_error(e.root()));
    }
    err
}
