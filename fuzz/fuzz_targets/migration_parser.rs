//! The migration-file parser: a file name (first line) and a body (the rest). Whatever the
//! bytes, parsing returns Ok or a typed error; an accepted file satisfies the format.
#![no_main]
use libfuzzer_sys::fuzz_target;
use motus_core::migrate::parse;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (name, body) = text.split_once('\n').unwrap_or((&text, ""));
    if let Ok((version, desc)) = parse::parse_file_name(name) {
        assert!(version >= 1);
        assert!(!desc.is_empty());
    }
    match parse::parse(name, body) {
        Ok(m) => {
            assert!(m.version >= 1);
            assert_eq!(m.checksum.len(), 16);
            assert_eq!(m.checksum, parse::checksum(body));
            assert!(m.up.len() <= body.len());
        }
        Err(e) => assert_eq!(e.code(), "invalid_migration"),
    }
    // Two files at once: duplicate versions must be refused, never panic.
    let _ = parse::parse_all(&[(name, body), (name, body)]).map(|_| panic!("duplicate accepted"));
});
