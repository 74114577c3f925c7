//! The clock and the randomness `core` takes from a JS host: `Date.now()` and
//! `crypto.getRandomValues` by default (never std's `SystemTime`, which panics on
//! wasm32-unknown-unknown), or functions the caller injects (`now`, `randomBytes`).

use js_sys::{Function, Reflect, Uint8Array};
use motus_core::{Clock, Error, IdSource, Result, Timestamp};
use wasm_bindgen::{JsCast, JsValue};

pub struct HostClock {
    now: Option<Function>,
}

impl HostClock {
    /// `now` must return milliseconds since the Unix epoch; it is checked once here.
    pub fn new(now: Option<Function>) -> Result<Self> {
        if let Some(f) = &now {
            let ok = f
                .call0(&JsValue::NULL)
                .ok()
                .and_then(|v| v.as_f64())
                .is_some_and(f64::is_finite);
            if !ok {
                return Err(Error::invalid(
                    "now",
                    "now() must return milliseconds since the Unix epoch as a number",
                ));
            }
        }
        Ok(HostClock { now })
    }
}

impl Clock for HostClock {
    fn now(&self) -> Timestamp {
        let injected = self
            .now
            .as_ref()
            .and_then(|f| f.call0(&JsValue::NULL).ok())
            .and_then(|v| v.as_f64())
            .filter(|ms| ms.is_finite());
        Timestamp::from_millis(injected.unwrap_or_else(js_sys::Date::now) as i64)
    }
}

pub struct HostIds {
    /// `(this, fill)`: `fill.call1(this, uint8array)` fills the array in place, or returns
    /// new bytes when injected as `randomBytes(n)`.
    source: RandomSource,
}

enum RandomSource {
    Crypto { crypto: JsValue, fill: Function },
    Injected(Function),
}

impl HostIds {
    pub fn new(random_bytes: Option<Function>) -> Result<Self> {
        if let Some(f) = random_bytes {
            let ok = f
                .call1(&JsValue::NULL, &JsValue::from(4u32))
                .ok()
                .and_then(|v| v.dyn_into::<Uint8Array>().ok())
                .is_some_and(|a| a.length() >= 4);
            if !ok {
                return Err(Error::invalid(
                    "randomBytes",
                    "randomBytes(n) must return a Uint8Array of n random bytes",
                ));
            }
            return Ok(HostIds {
                source: RandomSource::Injected(f),
            });
        }
        let crypto =
            Reflect::get(&js_sys::global(), &"crypto".into()).unwrap_or(JsValue::UNDEFINED);
        let fill = Reflect::get(&crypto, &"getRandomValues".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| {
                Error::invalid(
                    "randomBytes",
                    "this JavaScript host has no crypto.getRandomValues; pass randomBytes(n) in the options",
                )
            })?;
        Ok(HostIds {
            source: RandomSource::Crypto { crypto, fill },
        })
    }

    fn bytes(&self, n: usize) -> Vec<u8> {
        match &self.source {
            RandomSource::Crypto { crypto, fill } => {
                let buf = Uint8Array::new_with_length(n as u32);
                // getRandomValues cannot fail for n <= 65536.
                let _ = fill.call1(crypto, &buf);
                buf.to_vec()
            }
            RandomSource::Injected(f) => f
                .call1(&JsValue::NULL, &JsValue::from(n as u32))
                .ok()
                .and_then(|v| v.dyn_into::<Uint8Array>().ok())
                .map(|a| a.to_vec())
                .filter(|b| b.len() >= n)
                .expect("randomBytes(n) must return a Uint8Array of at least n bytes"),
        }
    }
}

impl IdSource for HostIds {
    fn random_hex(&self, len: usize) -> String {
        let mut s: String = self
            .bytes(len.div_ceil(2))
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        s.truncate(len);
        s
    }
}
