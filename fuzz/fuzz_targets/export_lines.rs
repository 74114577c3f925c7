//! The lines of an export file (`motus db import`): the header and every value encoding.
#![no_main]
use libfuzzer_sys::fuzz_target;
use motus_core::file_tools::transfer::{decode_value, encode_value, parse_header};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        if let Ok(h) = parse_header(line) {
            let _ = h.contents();
            let _ = h.total_rows();
        }
        if let Ok(serde_json::Value::Array(values)) = serde_json::from_str(line) {
            for v in &values {
                if let Ok(decoded) = decode_value(v) {
                    // Whatever is accepted encodes back to a value that decodes the same.
                    let again = decode_value(&encode_value(&decoded)).expect("re-decodes");
                    match (&decoded, &again) {
                        (motus_core::Value::Real(a), motus_core::Value::Real(b)) => {
                            assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()))
                        }
                        _ => assert_eq!(decoded, again),
                    }
                }
            }
        }
    }
});
