//! Rust results to plain JS values through serde-wasm-bindgen: objects (not `Map`s), `null`
//! (not `undefined`) for `None`, so a result equals `JSON.parse` of the CLI's `--json` output.

use serde::Serialize;
use wasm_bindgen::JsValue;

pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| crate::js_error::js_error("sql", &format!("cannot convert a result: {e}")))
}

/// Reads an options object (or `undefined`) into `T`; a malformed one is `invalid_input`,
/// and so is one with a key `T` does not read (as the CLI refuses an unknown flag and the
/// MCP tools an unknown argument: a typo must not be ignored).
pub fn options_from_js<T: serde::de::DeserializeOwned + Default>(
    field: &str,
    value: JsValue,
) -> Result<T, JsValue> {
    options_from_js_with(field, value, &[])
}

/// [`options_from_js`], allowing `also` as keys read elsewhere (functions, which serde cannot
/// carry).
pub fn options_from_js_with<T: serde::de::DeserializeOwned + Default>(
    field: &str,
    value: JsValue,
    also: &[&str],
) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    let invalid =
        |message: String| crate::js_error::to_js_error(&motus_core::Error::invalid(field, message));
    // serde-wasm-bindgen's errors print as JS errors ("Error: …"); the message is the rest.
    let read: T = serde_wasm_bindgen::from_value(value.clone()).map_err(|e| {
        let text = e.to_string();
        invalid(text.strip_prefix("Error: ").unwrap_or(&text).to_string())
    })?;
    if let Some(fields) = field_names::<T>() {
        if let Some(key) = unknown_key(&value, fields, also) {
            let expected: Vec<String> = fields
                .iter()
                .chain(also)
                .map(|f| format!("`{f}`"))
                .collect();
            return Err(invalid(format!(
                "unknown field `{key}`, expected one of {}",
                expected.join(", ")
            )));
        }
    }
    Ok(read)
}

/// serde-wasm-bindgen reads a struct from an object by asking it for the fields the struct
/// names, so the others are never seen (`deny_unknown_fields` cannot refuse them): a typo
/// such as `{ status }` for `status_key` would be ignored. The own keys are checked here.
fn unknown_key(value: &JsValue, fields: &[&str], also: &[&str]) -> Option<String> {
    use wasm_bindgen::JsCast;
    if !value.is_object() || js_sys::Array::is_array(value) {
        return None;
    }
    let object: &js_sys::Object = value.unchecked_ref();
    js_sys::Object::keys(object)
        .iter()
        .filter_map(|k| k.as_string())
        .find(|k| !fields.contains(&k.as_str()) && !also.contains(&k.as_str()))
}

/// The field names a struct reads (serde's list), learned by letting it ask a deserializer
/// that notes them and stops. None for anything but a plain struct (a map, a flattened one).
fn field_names<T: serde::de::DeserializeOwned>() -> Option<&'static [&'static str]> {
    let mut seen = None;
    let _ = T::deserialize(FieldNames(&mut seen));
    seen
}

struct FieldNames<'a>(&'a mut Option<&'static [&'static str]>);

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field names read")
    }
}

impl std::error::Error for Stop {}

impl serde::de::Error for Stop {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Stop
    }
}

impl<'de> serde::Deserializer<'de> for FieldNames<'_> {
    type Error = Stop;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Stop> {
        *self.0 = Some(fields);
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}
