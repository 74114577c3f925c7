//! Id and time validation: `prefix-<hex>` ids and every timestamp format Motus reads.
#![no_main]
use libfuzzer_sys::fuzz_target;
use motus_core::ids::is_prefixed_hex;
use motus_core::kernel::lease::{validate_lease_id, Resource};
use motus_core::Timestamp;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    for (prefix, len) in [("evidence", 12), ("attempt", 12), ("decision", 12), ("", 0)] {
        if is_prefixed_hex(&s, prefix, len) {
            let hex = &s[prefix.len() + 1..];
            assert_eq!(hex.len(), len);
            assert!(hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        }
    }
    if validate_lease_id(&s).is_ok() {
        // lease-YYYYMMDD-xxxxxxxx
        assert_eq!(s.len(), 23, "{s:?}");
        assert!(s.starts_with("lease-"));
    }
    let r = Resource::parse_spec(&s);
    if r.is_valid() {
        // TYPE:PATH round-trips through its display form when the type has no colon.
        if !r.kind.contains(':') {
            assert_eq!(Resource::parse_spec(&r.to_string()), r, "{s:?}");
        }
    }
    if let Some(ts) = Timestamp::parse(&s) {
        // What we write, we read back to the same instant.
        let written = ts.to_db();
        if ts.millis().abs() < 253_402_300_799_000 {
            assert_eq!(Timestamp::parse(&written), Some(ts), "{s:?} -> {written}");
        }
        let _ = ts.to_rfc3339();
        let _ = ts.plus_seconds(i64::MAX).seconds_until(ts);
    }
});
