//! The tools that only make sense on a whole SQLite file, apart from the domain: reading any
//! table (`browse`), the schema's shape (`schema`), checks and repairs (`doctor`,
//! `stored_rules`, `repair`), copies and their proofs (`backup`, `fingerprint`), the lossless
//! JSON Lines format (`transfer`) and reading a WAL beside a file (`wal_frames`). The domain
//! modules never call these; front ends reach them for `motus db …`, `motus doctor` and the
//! viewer. What they send that only a local file honours goes through `engine::local_file`.

pub mod backup;
pub mod browse;
pub mod doctor;
pub mod fingerprint;
pub mod repair;
pub mod schema;
pub mod stored_rules;
pub mod transfer;
pub mod wal_frames;
