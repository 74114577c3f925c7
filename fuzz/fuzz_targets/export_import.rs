//! Whole exports through import and the kernel's rules. Each input is a list of edits made
//! to a real database written by the original (the 0.3.3 quickstart fixture, upgraded): rows
//! changed, copied under new keys, or given values from other rows and tables, with the
//! schema's triggers out of the way, so the file can hold what the kernel never writes. The
//! edited database is exported (so the fingerprints are right) and imported into an empty
//! database built by `prepare_empty`. Whatever the edits:
//! - nothing panics;
//! - a source the kernel's rules refuse (`stored_rules::check` at the export's instant) is
//!   refused by import;
//! - an import that succeeds holds exactly the source's rows (and so breaks no rule).
#![no_main]
use libfuzzer_sys::fuzz_target;
use motus_core::file_tools::{stored_rules, transfer};
use motus_core::migrate::Migrator;
use motus_core::sqlite::SqliteConnection;
use motus_core::time::{ManualClock, Timestamp};
use motus_core::{Connection, Value};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

const FIXTURE: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/motusos-0.3.3-quickstart.db"
));

/// 2026-12-04T00:00:00Z: after everything in the fixture, so its leases are judged as the
/// original left them.
const NOW_MS: i64 = 1_796_342_400_000;

struct Seed {
    image: Vec<u8>,
    tables: Vec<(String, Vec<String>)>,
}

fn seed() -> &'static Seed {
    static SEED: OnceLock<Seed> = OnceLock::new();
    SEED.get_or_init(|| {
        let conn = SqliteConnection::from_image_writable(FIXTURE.to_vec()).expect("fixture opens");
        let clock = ManualClock::at(Timestamp(NOW_MS));
        Migrator::coordination()
            .migrate(&conn, &clock, false, &mut |_| Ok(None))
            .expect("fixture upgrades");
        let names = conn
            .query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_stat%' ORDER BY name",
                &[],
            )
            .expect("tables");
        let mut tables = Vec::new();
        for r in names.iter() {
            let name: String = r.get(0).unwrap();
            let cols = conn
                .query("SELECT name FROM pragma_table_info(?1) ORDER BY cid", &[Value::Text(name.clone())])
                .expect("columns");
            let cols: Vec<String> = cols.iter().map(|c| c.get::<String>(0).unwrap()).collect();
            tables.push((name, cols));
        }
        // The kernel's triggers would refuse most edits; a hostile file has none of them
        // (the import target builds its own schema, triggers included: only rows travel).
        let triggers = conn
            .query("SELECT name FROM sqlite_master WHERE type = 'trigger'", &[])
            .expect("triggers");
        for r in triggers.iter() {
            let name: String = r.get(0).unwrap();
            conn.execute_batch(&format!("DROP TRIGGER {}", quote(&name))).unwrap();
        }
        let mut conn = conn;
        Seed { image: conn.to_image().expect("image"), tables }
    })
}

/// Empty databases prepared at a schema version, by version (building one runs the
/// migrations, which would dominate every run).
fn prepared(header: &transfer::Header) -> Option<SqliteConnection> {
    static CACHE: OnceLock<Mutex<HashMap<(i64, bool), Vec<u8>>>> = OnceLock::new();
    let lease_store = header
        .tables
        .iter()
        .any(|t| t.name == "coordination_leases" || t.name == "events");
    let key = (header.schema_version, lease_store);
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    if let Some(image) = cache.get(&key) {
        return SqliteConnection::from_image_writable(image.clone()).ok();
    }
    let mut empty = SqliteConnection::open_in_memory().ok()?;
    let clock = ManualClock::at(Timestamp(NOW_MS));
    if transfer::prepare_empty(&empty, header, &clock).is_err() {
        return None;
    }
    let image = empty.to_image().ok()?;
    cache.insert(key, image);
    drop(cache);
    Some(empty)
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Reads the input a byte at a time; an exhausted input reads zeros.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from(self.byte()) << 8 | u16::from(self.byte())
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn value(&mut self) -> Value {
        const TEXTS: &[&str] = &[
            "completed", "pending", "in_progress", "blocked", "active", "released", "expired",
            "open", "resolved", "blocks", "relates", "write", "read", "exclusive", "", "x",
            "2026-12-04T00:00:00.000Z", "2099-01-01T00:00:00.000Z", "2000-01-01 00:00:00",
        ];
        match self.byte() % 9 {
            0 => Value::Null,
            1 => Value::Integer(i64::from(self.byte() as i8)),
            2 => Value::Integer(match self.byte() % 4 {
                0 => i64::MAX,
                1 => i64::MIN,
                2 => i64::MAX - 1,
                _ => 1 << 40,
            }),
            3 => Value::Real(f64::from(self.byte() as i8) / 4.0),
            4 | 5 => Value::Text(TEXTS[usize::from(self.byte()) % TEXTS.len()].into()),
            6 => {
                let n = usize::from(self.byte() % 24);
                let s: String = (0..n).map(|_| char::from(b' ' + self.byte() % 95)).collect();
                Value::Text(s)
            }
            7 => {
                let n = usize::from(self.byte() % 16);
                Value::Blob((0..n).map(|_| self.byte()).collect())
            }
            _ => Value::Text(format!("F-{}", self.byte())),
        }
    }
}

/// One edit; errors (constraints the schema still holds) leave the database as it was.
fn edit(conn: &SqliteConnection, seed: &Seed, input: &mut Bytes) {
    let (table, cols) = &seed.tables[usize::from(input.byte()) % seed.tables.len()];
    if cols.is_empty() {
        return;
    }
    let col = &cols[usize::from(input.byte()) % cols.len()];
    let t = quote(table);
    let c = quote(col);
    let row = i64::from(input.u16() % 64);
    let pick = format!("(SELECT rowid FROM {t} ORDER BY rowid LIMIT 1 OFFSET ?1)");
    let sql;
    let mut params = vec![Value::Integer(row)];
    match input.byte() % 4 {
        // A column of one row takes a value.
        0 => {
            sql = format!("UPDATE {t} SET {c} = ?2 WHERE rowid = {pick}");
            params.push(input.value());
        }
        // A column of one row takes another row's value (duplicate keys, resources, ids).
        1 => {
            sql = format!(
                "UPDATE {t} SET {c} = (SELECT {c} FROM {t} ORDER BY rowid LIMIT 1 OFFSET ?2) WHERE rowid = {pick}"
            );
            params.push(Value::Integer(i64::from(input.byte() % 64)));
        }
        // A column takes a value from any column of any table (cross references).
        2 => {
            let (other, other_cols) = &seed.tables[usize::from(input.byte()) % seed.tables.len()];
            if other_cols.is_empty() {
                return;
            }
            let oc = quote(&other_cols[usize::from(input.byte()) % other_cols.len()]);
            sql = format!(
                "UPDATE {t} SET {c} = (SELECT {oc} FROM {} LIMIT 1 OFFSET ?2) WHERE rowid = {pick}",
                quote(other)
            );
            params.push(Value::Integer(i64::from(input.byte() % 64)));
        }
        // A copy of one row under a new rowid, one column changed (a second lease, attempt,
        // dependency...).
        _ => {
            let list: Vec<String> = cols.iter().map(|n| quote(n)).collect();
            let chosen: Vec<String> = cols
                .iter()
                .map(|n| if n == col { "?2".to_string() } else { quote(n) })
                .collect();
            sql = format!(
                "INSERT INTO {t} ({}) SELECT {} FROM {t} WHERE rowid = {pick}",
                list.join(", "),
                chosen.join(", ")
            );
            params.push(input.value());
        }
    }
    let _ = conn.execute(&sql, &params);
}

fuzz_target!(|data: &[u8]| {
    let seed = seed();
    let Ok(source) = SqliteConnection::from_image_writable(seed.image.clone()) else {
        return;
    };
    source.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let mut input = Bytes(data);
    for _ in 0..12 {
        if input.is_empty() {
            break;
        }
        edit(&source, seed, &mut input);
    }
    let now = Timestamp(NOW_MS);
    let mut text = Vec::new();
    let exported = transfer::export(
        &source,
        Some("fuzz"),
        now,
        &mut text,
        &mut motus_core::progress::unwatched(),
    );
    if exported.is_err() {
        return;
    }
    let text = String::from_utf8(text).expect("exports are UTF-8");
    let mut lines = text.lines().map(|l| Ok(l.to_string()));
    let header = transfer::parse_header(&lines.next().unwrap().unwrap()).expect("own header parses");
    let broken_in_source = stored_rules::check(&source, now).unwrap_or_default();
    let Some(target) = prepared(&header) else {
        return;
    };
    let imported = transfer::load(&target, &header, &mut lines, &mut motus_core::progress::unwatched());
    match imported {
        Ok(_) => {
            assert!(
                broken_in_source.is_empty(),
                "import accepted a source that breaks the kernel's rules: {broken_in_source:?}"
            );
            // (`load` itself ran the rules on what it loaded; the rows equal the source's.)
            let differences = transfer::compare(&source, &target).expect("compare runs");
            assert!(differences.is_empty(), "import changed rows: {differences:?}");
        }
        Err(e) => {
            // Whatever is refused is refused with a typed error and leaves the target empty.
            let _ = e.code();
            let status = Migrator::coordination().status(&target).expect("status");
            let rows = target
                .query("SELECT count(*) FROM roadmap_items", &[])
                .ok()
                .and_then(|r| r.iter().next().map(|r| r.get::<i64>(0).unwrap_or(-1)));
            assert!(
                rows.unwrap_or(0) == 0,
                "a refused import left rows behind ({status:?})"
            );
        }
    }
});
