//! Rust results to plain JS values through serde-wasm-bindgen: objects (not `Map`s), `null`
//! (not `undefined`) for `None`, so a result equals `JSON.parse` of the CLI's `--json` output.

use serde::Serialize;
use wasm_bindgen::JsValue;

pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| crate::js_error::js_error("sql", &format!("cannot convert a result: {e}")))
}

/// Reads an options object (or `undefined`) into `T`; a malformed one is `invalid_input`.
pub fn options_from_js<T: serde::de::DeserializeOwned + Default>(
    field: &str,
    value: JsValue,
) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        crate::js_error::to_js_error(&motus_core::Error::invalid(field, e.to_string()))
    })
}
