//! `Database`: the JS class. One instance holds one connection (in the module, or the
//! host's), the host's clock and randomness, and the file path used in messages.

use crate::backend::Backend;
use crate::host_connection::HostConnection;
use crate::host_env::{HostClock, HostIds};
use crate::js_error::{to_js_error, to_js_error_at};
use crate::schema_calls::{self, Backup, Sizes};
use crate::to_js::{options_from_js, options_from_js_with, to_js};
use js_sys::{Function, Reflect};
use motus_core::migrate::Migrator;
use motus_core::{Env, Error};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// The open options that are functions, read separately (serde cannot carry them).
const FUNCTIONS: &[&str] = &["now", "randomBytes"];

/// Options every `open…` takes. Functions are read separately (serde cannot carry them).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct OpenOptions {
    /// The database file's path, for messages and the pre-upgrade backup's name.
    path: Option<String>,
    /// `fromBytes` only: open the image read-only.
    read_only: bool,
    /// Who makes roadmap changes (the CLI's `MC_AGENT_ID`, else `user`).
    actor: Option<String>,
    /// Write a `metrics` row per kernel call, as the CLI does unless `MC_METRICS_ENABLED=0`.
    metrics: Option<bool>,
}

/// `init()`'s options: where the backup goes (no dry run: `migrate({ dryRun })` plans).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct InitOptions {
    backup_path: Option<BackupOption>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct MigrateOptions {
    dry_run: bool,
    /// Where to write the backup before upgrading a database that holds data; `false` for
    /// none. Default: beside the file when `path` is known (as the CLI does), else none.
    backup_path: Option<BackupOption>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum BackupOption {
    Path(String),
    Enabled(bool),
}

fn function_option(options: &JsValue, name: &str) -> Result<Option<Function>, JsValue> {
    if !options.is_object() {
        return Ok(None);
    }
    let v = Reflect::get(options, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.dyn_into::<Function>()
        .map(Some)
        .map_err(|_| to_js_error(&Error::invalid(name, format!("{name} must be a function"))))
}

#[wasm_bindgen]
pub struct Database {
    backend: Backend,
    clock: HostClock,
    ids: HostIds,
    path: Option<String>,
    actor: String,
    kernel_options: motus_core::kernel::Options,
    /// Set once the schema was seen current, so each call does not re-read the ledger.
    schema_ready: std::cell::Cell<bool>,
}

impl Database {
    fn new(backend: Backend, options: &JsValue, opts: OpenOptions) -> Result<Self, JsValue> {
        let clock =
            HostClock::new(function_option(options, "now")?).map_err(|e| to_js_error(&e))?;
        let ids =
            HostIds::new(function_option(options, "randomBytes")?).map_err(|e| to_js_error(&e))?;
        Ok(Database {
            backend,
            clock,
            ids,
            path: opts.path,
            actor: opts.actor.unwrap_or_else(|| "user".into()),
            kernel_options: motus_core::kernel::Options {
                metrics: opts.metrics.unwrap_or(true),
            },
            schema_ready: std::cell::Cell::new(false),
        })
    }

    pub(crate) fn backend(&self) -> &Backend {
        &self.backend
    }

    pub(crate) fn env(&self) -> Env<'_> {
        Env::new(&self.clock, &self.ids)
    }

    pub(crate) fn actor(&self) -> &str {
        &self.actor
    }

    pub(crate) fn kernel_options(&self) -> &motus_core::kernel::Options {
        &self.kernel_options
    }

    /// Before a write, as the CLI's write commands: create the schema or bring it up to date
    /// (backup first when it holds data).
    pub(crate) fn prepare_write(&self) -> Result<(), JsValue> {
        if self.schema_ready.get() {
            return Ok(());
        }
        let status = Migrator::coordination()
            .status(&self.backend)
            .map_err(|e| self.file_error(&e))?;
        if !status.is_current() {
            schema_calls::init(
                &self.backend,
                &self.clock,
                self.path.as_deref(),
                &self.backup_policy(None),
                matches!(self.backend, Backend::Host(_)),
            )
            .map_err(|e| self.file_error(&e))?;
        }
        self.schema_ready.set(true);
        Ok(())
    }

    /// Before a read, as the CLI's read commands (core's open policy): any schema version
    /// this build knows is read as it is; an older one is not upgraded (`db.status()` says
    /// so, `db.migrate()` upgrades it).
    pub(crate) fn prepare_read(&self) -> Result<(), JsValue> {
        if self.schema_ready.get() {
            return Ok(());
        }
        let access = motus_core::migrate::open::read_access(&self.backend)
            .map_err(|e| self.file_error(&e))?;
        // Only a current schema is remembered: a later write still upgrades an older one.
        if access == motus_core::migrate::open::ReadAccess::Current {
            self.schema_ready.set(true);
        }
        Ok(())
    }

    /// A core error as the CLI reports it for this file.
    pub(crate) fn file_error(&self, e: &Error) -> JsValue {
        to_js_error_at(e, self.path.as_deref())
    }

    fn backup_policy(&self, option: Option<BackupOption>) -> Backup {
        match (option, &self.backend, &self.path) {
            (Some(BackupOption::Path(p)), _, _) => Backup::To(p),
            (Some(BackupOption::Enabled(false)), _, _) => Backup::None,
            (_, Backend::Host(_), Some(path)) => Backup::BesideFile(
                path.clone(),
                motus_core::ids::IdSource::random_hex(&self.ids, 6),
            ),
            _ => Backup::None,
        }
    }

    fn sizes(&self) -> Result<Sizes, JsValue> {
        let Backend::Host(host) = &self.backend else {
            return Ok(Sizes::default());
        };
        let Some(v) = host
            .call_optional("fileSizes")
            .map_err(|e| self.file_error(&e))?
        else {
            return Ok(Sizes::default());
        };
        let read = |k: &str| {
            Reflect::get(&v, &k.into())
                .ok()
                .and_then(|n| n.as_f64())
                .map(|n| n as u64)
        };
        Ok(Sizes {
            size_bytes: read("sizeBytes"),
            wal_size_bytes: read("walSizeBytes"),
        })
    }
}

#[wasm_bindgen]
impl Database {
    /// A new, empty database in SQLite inside the module. Call `init()` to create the schema.
    #[wasm_bindgen(js_name = openInMemory)]
    pub fn open_in_memory(
        #[wasm_bindgen(unchecked_optional_param_type = "OpenOptions")] options: JsValue,
    ) -> Result<Database, JsValue> {
        let opts: OpenOptions = options_from_js_with("options", options.clone(), FUNCTIONS)?;
        let conn = crate::in_module::open_empty().map_err(|e| to_js_error(&e))?;
        Database::new(Backend::InModule(conn), &options, opts)
    }

    /// A database image (the bytes of a `.db` file) loaded into SQLite inside the module.
    /// Writable unless `readOnly: true`; `toBytes()` gives the changed image back.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        bytes: Vec<u8>,
        #[wasm_bindgen(unchecked_optional_param_type = "OpenOptions & { readOnly?: boolean }")]
        options: JsValue,
    ) -> Result<Database, JsValue> {
        let opts: OpenOptions = options_from_js_with("options", options.clone(), FUNCTIONS)?;
        let conn = crate::in_module::open_image(bytes, opts.read_only)
            .map_err(|e| to_js_error_at(&e, opts.path.as_deref()))?;
        Database::new(Backend::InModule(conn), &options, opts)
    }

    /// A database on a connection the host brings (see `HostConnection`).
    #[wasm_bindgen(js_name = fromConnection)]
    pub fn from_connection(
        #[wasm_bindgen(unchecked_param_type = "HostConnection")] connection: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "OpenOptions")] options: JsValue,
    ) -> Result<Database, JsValue> {
        let opts: OpenOptions = options_from_js_with("options", options.clone(), FUNCTIONS)?;
        let conn = HostConnection::new(connection)
            .map_err(|e| to_js_error(&e))?
            .on_local_file(opts.path.is_some());
        Database::new(Backend::Host(conn), &options, opts)
    }

    /// `"in_module"` or `"host"`.
    #[wasm_bindgen(getter)]
    pub fn kind(&self) -> String {
        self.backend.kind().into()
    }

    /// The path given when opening, if any.
    #[wasm_bindgen(getter)]
    pub fn path(&self) -> Option<String> {
        self.path.clone()
    }

    /// `motus db init`: create the schema, or bring an older one up to date.
    #[wasm_bindgen(unchecked_return_type = "InitResult")]
    pub fn init(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ backupPath?: string | false }")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let opts: InitOptions = options_from_js("options", options)?;
        let backup = self.backup_policy(opts.backup_path);
        let doc = schema_calls::init(
            &self.backend,
            &self.clock,
            self.path.as_deref(),
            &backup,
            matches!(self.backend, Backend::Host(_)),
        )
        .map_err(|e| self.file_error(&e))?;
        to_js(&motus_core::answer::document(&doc))
    }

    /// `motus db migrate [--dry-run]`.
    #[wasm_bindgen(unchecked_return_type = "DbMigrateAnswer")]
    pub fn migrate(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ dryRun?: boolean; backupPath?: string | false }"
        )]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let opts: MigrateOptions = options_from_js("options", options)?;
        let backup = self.backup_policy(opts.backup_path);
        let doc = schema_calls::migrate(
            &self.backend,
            &self.clock,
            self.path.as_deref(),
            opts.dry_run,
            &backup,
            matches!(self.backend, Backend::Host(_)),
        )
        .map_err(|e| self.file_error(&e))?;
        to_js(&motus_core::answer::document(&doc))
    }

    /// `motus db status`: schema version, pending migrations, sizes. Reads only.
    #[wasm_bindgen(unchecked_return_type = "StatusResult")]
    pub fn status(&self) -> Result<JsValue, JsValue> {
        let sizes = self.sizes()?;
        let doc = schema_calls::status(&self.backend, self.path.as_deref(), sizes)
            .map_err(|e| self.file_error(&e))?;
        to_js(&motus_core::answer::document(&doc))
    }

    /// `motus db export --out -`: the whole database as the lossless JSON Lines text (one
    /// read snapshot; a header line with every table's fingerprint, then one line per row).
    #[wasm_bindgen(js_name = exportJsonl)]
    pub fn export_jsonl(&self) -> Result<String, JsValue> {
        self.prepare_read()?;
        let mut out = Vec::new();
        motus_core::file_tools::transfer::export(
            &self.backend,
            self.path.as_deref(),
            motus_core::Clock::now(&self.clock),
            &mut out,
            &mut motus_core::progress::unwatched(),
        )
        .map_err(|e| to_js_error(&e))?;
        String::from_utf8(out).map_err(|e| to_js_error(&Error::invalid("export", e.to_string())))
    }

    /// `motus db import` into this database, which must be empty (no tables): builds the
    /// export's schema, loads every row in one transaction and commits only when every
    /// table hashes to the export's fingerprint (and the rows keep the kernel's rules).
    #[wasm_bindgen(js_name = importJsonl, unchecked_return_type = "DbImportTextAnswer")]
    pub fn import_jsonl(&self, text: &str) -> Result<JsValue, JsValue> {
        let tables = motus_core::engine::catalogue::table_count(&self.backend)
            .map_err(|e| to_js_error(&e))?;
        if tables > 0 {
            return Err(to_js_error(&Error::invalid(
                "importJsonl",
                "the database is not empty; import into a new database",
            )));
        }
        let mut lines = text.lines();
        let first = lines
            .next()
            .ok_or_else(|| to_js_error(&Error::invalid("importJsonl", "the text is empty")))?;
        let header =
            motus_core::file_tools::transfer::parse_header(first).map_err(|e| to_js_error(&e))?;
        motus_core::file_tools::transfer::prepare_empty(&self.backend, &header, &self.clock)
            .map_err(|e| to_js_error(&e))?;
        let s = motus_core::file_tools::transfer::load(
            &self.backend,
            &header,
            lines.map(|l| Ok(l.to_string())),
            &mut motus_core::progress::unwatched(),
        )
        .map_err(|e| to_js_error(&e))?;
        to_js(&motus_core::answer::document(
            &motus_core::answer::ops::ImportTextAnswer {
                schema_version: s.schema_version,
                tables: s.tables,
                rows: s.rows,
            },
        ))
    }

    /// The whole database as a `.db` image (in-module databases only).
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&mut self) -> Result<Vec<u8>, JsValue> {
        match &mut self.backend {
            Backend::InModule(conn) => conn.to_image().map_err(|e| to_js_error(&e)),
            Backend::Host(_) => Err(to_js_error(&Error::invalid(
                "toBytes",
                "only a database inside the module has an image; the host owns this one's file",
            ))),
        }
    }
}
