//! Canonical JSON for evidence hashing: whatever JSON comes in, the canonical form is
//! printable ASCII, parses back to the same value, and is a fixed point.
#![no_main]
use libfuzzer_sys::fuzz_target;
use motus_core::kernel::canonical::{sha256_hex, to_canonical_json};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let canonical = to_canonical_json(&value);
    assert!(
        canonical.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "not printable ASCII: {canonical:?}"
    );
    let back: serde_json::Value = serde_json::from_str(&canonical)
        .unwrap_or_else(|e| panic!("canonical form does not parse ({e}): {canonical}"));
    assert_eq!(back, value, "canonical form changes the value: {canonical}");
    assert_eq!(to_canonical_json(&back), canonical, "not a fixed point");
    assert_eq!(sha256_hex(canonical.as_bytes()).len(), 64);
});
