//! SQL values across the JS boundary. Integers travel as `bigint` (so a driver binds them as
//! SQLite integers, not doubles, and no 64-bit value loses precision), reals as `number`,
//! text as `string`, blobs as `Uint8Array`, NULL as `null`. On the way back a `bigint` is an
//! integer. A `number` is a real when the host promises that its driver returns every
//! integer as a `bigint` ([`Numbers::AreReals`]: better-sqlite3 with `safeIntegers`,
//! node:sqlite with `setReadBigInts(true)`), so a REAL `1.0` stays REAL; otherwise an
//! integral `number` is taken for an integer (a driver without `bigint` support returns
//! integers as plain numbers, and a REAL holding a whole number cannot be told apart).

use js_sys::{Array, ArrayBuffer, Uint8Array};
use motus_core::Value;
use wasm_bindgen::{JsCast, JsValue};

/// The largest integer a JS `number` holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

pub fn value_to_js(v: &Value) -> JsValue {
    match v {
        Value::Null => JsValue::NULL,
        Value::Integer(i) => JsValue::from(*i),
        Value::Real(f) => JsValue::from_f64(*f),
        Value::Text(s) => JsValue::from_str(s),
        Value::Blob(b) => Uint8Array::from(b.as_slice()).into(),
    }
}

pub fn params_to_js(params: &[Value]) -> Array {
    params.iter().map(value_to_js).collect()
}

/// What a JS `number` coming back from the host stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbers {
    /// The driver returns integers as `bigint`: a `number` is always a REAL.
    AreReals,
    /// Integers may come back as numbers: an integral `number` is an INTEGER.
    MayBeIntegers,
}

/// Reads a value a host returned; the error names what it got instead.
pub fn value_from_js(v: &JsValue, numbers: Numbers) -> Result<Value, String> {
    if v.is_null() || v.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(f) = v.as_f64() {
        if numbers == Numbers::AreReals {
            return Ok(Value::Real(f));
        }
        return Ok(if f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER {
            Value::Integer(f as i64)
        } else {
            Value::Real(f)
        });
    }
    if let Some(s) = v.as_string() {
        return Ok(Value::Text(s));
    }
    if v.is_bigint() {
        return i64::try_from(v.clone())
            .map(Value::Integer)
            .map_err(|_| "a bigint outside the 64-bit range".to_string());
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Integer(b as i64));
    }
    if let Some(bytes) = v.dyn_ref::<Uint8Array>() {
        return Ok(Value::Blob(bytes.to_vec()));
    }
    if let Some(buffer) = v.dyn_ref::<ArrayBuffer>() {
        return Ok(Value::Blob(Uint8Array::new(buffer).to_vec()));
    }
    Err(format!(
        "a value of type {}",
        v.js_typeof().as_string().unwrap_or_default()
    ))
}
