//! Arbitrary bytes opened as a database image: opening, reading the migration ledger,
//! capturing the schema and fingerprinting every table either work or return a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use motus_core::migrate::Migrator;
use motus_core::file_tools::schema::Snapshot;
use motus_core::sqlite::SqliteConnection;

fuzz_target!(|data: &[u8]| {
    // Most inputs would fail the header check; give half of them a valid header so the
    // fuzzer reaches SQLite's page parsing.
    let mut bytes = data.to_vec();
    if bytes.first().is_some_and(|b| b & 1 == 1) && bytes.len() >= 100 {
        bytes[..16].copy_from_slice(b"SQLite format 3\0");
    }
    let Ok(conn) = SqliteConnection::from_image(bytes) else {
        return;
    };
    let _ = Migrator::coordination().status(&conn);
    let _ = Snapshot::capture(&conn);
    let _ = motus_core::file_tools::backup::contents(&conn);
});
