//! The engine database, read only: `storage_domain_static` for the domains, `images` joined with
//! `image_storage_domain_map` for the volumes on each, `base_disks` for content types and aliases.
//!
//! Reads run in one read-only, repeatable-read transaction. The schema is looked up first, so a
//! database that lacks a table or column gives problems in the view, not a failed run: what can
//! be read is read.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use model::{DiskId, StorageDomainId, Uuid, VolumeId};
use postgres::config::Host;
pub use postgres::Config as PgConfig;
use postgres::{IsolationLevel, NoTls, Row, Transaction};

use crate::engine::{
    EngineDomain, EngineProblem, EngineSource, EngineView, EngineVolume, SourceError,
};
use crate::vocab::{self, DiskType, EngineStatus};

/// At most this many problems about single rows are listed; the rest are counted.
const ROW_PROBLEMS_SHOWN: usize = 20;

/// The engine database as an engine-side source.
#[derive(Clone)]
pub struct DbSource {
    config: PgConfig,
}

impl std::fmt::Debug for DbSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The configuration holds the password: show only where it points.
        f.debug_struct("DbSource")
            .field("target", &describe(&self.config))
            .finish()
    }
}

/// Why connection settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbConfigError {
    #[error("the connection string is not valid: {0}")]
    BadConnectionString(String),
    #[error("line {line} of the database configuration is not KEY=\"value\": `{text}`")]
    BadLine { line: usize, text: String },
    #[error("the database configuration has no {0}")]
    Missing(&'static str),
    #[error("ENGINE_DB_PORT={0} is not a port number")]
    BadPort(String),
    #[error("the engine database requires TLS (ENGINE_DB_SECURED=True), which this build does not speak; reach it through a local socket or an SSH tunnel and pass --db")]
    TlsRequired,
}

impl DbSource {
    pub fn new(mut config: PgConfig) -> DbSource {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(15));
        }
        config.application_name("ovirt-upgrade discrepancies");
        DbSource { config }
    }

    /// A libpq-style connection string: `host=/run/postgresql dbname=engine user=engine` or
    /// `postgresql://engine@localhost/engine`.
    pub fn parse(connection: &str) -> Result<DbSource, DbConfigError> {
        let config: PgConfig = connection
            .parse()
            .map_err(|e: postgres::Error| DbConfigError::BadConnectionString(e.to_string()))?;
        Ok(DbSource::new(config))
    }

    /// The engine's own settings file,
    /// `/etc/ovirt-engine/engine.conf.d/10-setup-database.conf` (`ENGINE_DB_HOST`, `_PORT`,
    /// `_USER`, `_PASSWORD`, `_DATABASE`, `_SECURED`).
    pub fn from_engine_conf(text: &str) -> Result<DbSource, DbConfigError> {
        let values = parse_shell_assignments(text)?;
        let get = |key: &'static str| values.get(key).map(String::as_str);
        if get("ENGINE_DB_SECURED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return Err(DbConfigError::TlsRequired);
        }
        let mut config = PgConfig::new();
        config.host(get("ENGINE_DB_HOST").ok_or(DbConfigError::Missing("ENGINE_DB_HOST"))?);
        if let Some(port) = get("ENGINE_DB_PORT") {
            config.port(
                port.parse()
                    .map_err(|_| DbConfigError::BadPort(port.to_owned()))?,
            );
        }
        config.user(get("ENGINE_DB_USER").ok_or(DbConfigError::Missing("ENGINE_DB_USER"))?);
        config
            .dbname(get("ENGINE_DB_DATABASE").ok_or(DbConfigError::Missing("ENGINE_DB_DATABASE"))?);
        if let Some(password) = get("ENGINE_DB_PASSWORD") {
            config.password(password);
        }
        Ok(DbSource::new(config))
    }

    /// Sets the password when the connection settings carry none (from `PGPASSWORD`, say).
    pub fn with_default_password(mut self, password: &str) -> DbSource {
        if self.config.get_password().is_none() {
            self.config.password(password);
        }
        self
    }

    pub fn config(&self) -> &PgConfig {
        &self.config
    }
}

impl EngineSource for DbSource {
    fn describe(&self) -> String {
        describe(&self.config)
    }

    fn collect(&mut self) -> Result<EngineView, SourceError> {
        let fail = |message: String| SourceError {
            source_name: describe(&self.config),
            message,
        };
        let mut client = self
            .config
            .connect(NoTls)
            .map_err(|e| fail(format!("cannot connect: {}", error_text(&e))))?;
        let mut transaction = client
            .build_transaction()
            .read_only(true)
            .isolation_level(IsolationLevel::RepeatableRead)
            .start()
            .map_err(|e| {
                fail(format!(
                    "cannot start a read-only transaction: {}",
                    error_text(&e)
                ))
            })?;
        let view = read_view(&mut transaction);
        // Nothing was written; ending the transaction either way is the same.
        let _ = transaction.rollback();
        Ok(view)
    }
}

fn describe(config: &PgConfig) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .map_or_else(String::new, |p| format!(":{p}"));
    format!(
        "database {} on {host}{port}",
        config
            .get_dbname()
            .or(config.get_user())
            .unwrap_or("postgres")
    )
}

/// The server's own message when there is one (a `DbError`), else the client's.
fn error_text(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => error.to_string(),
    }
}

/// Reads `KEY="value"` lines the way a shell would for the simple forms engine-setup writes.
fn parse_shell_assignments(text: &str) -> Result<BTreeMap<String, String>, DbConfigError> {
    let mut values = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, raw) = line.split_once('=').ok_or_else(|| DbConfigError::BadLine {
            line: n + 1,
            text: line.to_owned(),
        })?;
        let raw = raw.trim();
        let value = if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            let mut value = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    c => value.push(c),
                }
            }
            value
        } else if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
            inner.to_owned()
        } else {
            raw.to_owned()
        };
        values.insert(key.trim().to_owned(), value);
    }
    Ok(values)
}

/// The tables and columns this reader uses.
const WANTED: &[(&str, &[&str])] = &[
    (
        "storage_domain_static",
        &["id", "storage_name", "storage_domain_type"],
    ),
    (
        "images",
        &[
            "image_guid",
            "image_group_id",
            "parentid",
            "size",
            "volume_type",
            "volume_format",
            "imagestatus",
        ],
    ),
    (
        "image_storage_domain_map",
        &["image_id", "storage_domain_id"],
    ),
    (
        "base_disks",
        &["disk_id", "disk_content_type", "disk_alias"],
    ),
];

/// Reads what it can; each part that cannot be read becomes a problem.
pub fn read_view(transaction: &mut Transaction<'_>) -> EngineView {
    let mut problems = Vec::new();
    let schema = match query(
        transaction,
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = ANY (current_schemas(false))",
    ) {
        Ok(rows) => rows
            .iter()
            .filter_map(|row| {
                Some((
                    row.try_get::<_, String>(0).ok()?,
                    row.try_get::<_, String>(1).ok()?,
                ))
            })
            .collect::<BTreeSet<(String, String)>>(),
        Err(message) => {
            problems.push(problem("the schema", message));
            return EngineView::new(Vec::new(), problems);
        }
    };
    let lacking = |table: &str| -> Vec<&'static str> {
        WANTED
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, columns)| {
                columns
                    .iter()
                    .copied()
                    .filter(|c| !schema.contains(&(table.to_owned(), (*c).to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let missing_problem = |table: &str, lacking: &[&str], consequence: &str| {
        let has_table = schema.iter().any(|(t, _)| t == table);
        let message = if has_table {
            format!(
                "the table lacks the columns {}; {consequence}",
                lacking.join(", ")
            )
        } else {
            format!("there is no such table (is this the engine database?); {consequence}")
        };
        problem(&format!("table {table}"), message)
    };

    let mut domains: BTreeMap<StorageDomainId, EngineDomain> = BTreeMap::new();
    let domain_columns = lacking("storage_domain_static");
    if domain_columns.is_empty() {
        match query(
            transaction,
            "SELECT id::text, storage_name::text, storage_domain_type::int8 FROM storage_domain_static",
        ) {
            Ok(rows) => {
                for row in rows {
                    let id = text(&row, 0).and_then(|t| t.parse().ok());
                    let Some(id) = id else { continue };
                    domains.insert(
                        StorageDomainId(id),
                        EngineDomain {
                            id: StorageDomainId(id),
                            name: text(&row, 1).unwrap_or_default(),
                            role: number(&row, 2).and_then(vocab::role_from_db),
                            volumes: Vec::new(),
                        },
                    );
                }
            }
            Err(message) => problems.push(problem("table storage_domain_static", message)),
        }
    } else {
        problems.push(missing_problem(
            "storage_domain_static",
            &domain_columns,
            "storage domain names and roles are unknown",
        ));
    }

    let image_columns = lacking("images");
    let map_columns = lacking("image_storage_domain_map");
    if !image_columns.is_empty() {
        problems.push(missing_problem(
            "images",
            &image_columns,
            "no volume could be read",
        ));
    }
    if !map_columns.is_empty() {
        problems.push(missing_problem(
            "image_storage_domain_map",
            &map_columns,
            "no volume could be placed on a domain",
        ));
    }
    if image_columns.is_empty() && map_columns.is_empty() {
        let disk_columns = lacking("base_disks");
        let with_disks = disk_columns.is_empty();
        if !with_disks {
            problems.push(missing_problem(
                "base_disks",
                &disk_columns,
                "content types are not compared",
            ));
        }
        let sql = format!(
            "SELECT m.storage_domain_id::text, i.image_guid::text, i.image_group_id::text, \
             i.parentid::text, i.size::int8, i.volume_type::int8, i.volume_format::int8, \
             i.imagestatus::int8, {} \
             FROM images i JOIN image_storage_domain_map m ON m.image_id = i.image_guid {}",
            if with_disks {
                "bd.disk_content_type::int8, bd.disk_alias::text"
            } else {
                "NULL::int8, NULL::text"
            },
            if with_disks {
                "LEFT JOIN base_disks bd ON bd.disk_id = i.image_group_id"
            } else {
                ""
            },
        );
        match query(transaction, &sql) {
            Ok(rows) => {
                let mut bad_rows = Vec::new();
                for row in &rows {
                    match volume_of_row(row) {
                        Ok((domain, volume)) => domains
                            .entry(domain)
                            .or_insert_with(|| EngineDomain {
                                id: domain,
                                name: String::new(),
                                role: None,
                                volumes: Vec::new(),
                            })
                            .volumes
                            .push(volume),
                        Err(message) => bad_rows.push(message),
                    }
                }
                let count = bad_rows.len();
                for message in bad_rows.into_iter().take(ROW_PROBLEMS_SHOWN) {
                    problems.push(problem("table images", message));
                }
                if count > ROW_PROBLEMS_SHOWN {
                    problems.push(problem(
                        "table images",
                        format!("{} more rows could not be read", count - ROW_PROBLEMS_SHOWN),
                    ));
                }
            }
            Err(message) => problems.push(problem("table images", message)),
        }
    }
    EngineView::new(domains.into_values().collect(), problems)
}

fn problem(subject: &str, message: String) -> EngineProblem {
    EngineProblem {
        subject: subject.to_owned(),
        message,
    }
}

/// Runs one query inside a savepoint, so that a failure leaves the transaction usable.
fn query(transaction: &mut Transaction<'_>, sql: &str) -> Result<Vec<Row>, String> {
    let mut savepoint = transaction.transaction().map_err(|e| error_text(&e))?;
    let rows = savepoint.query(sql, &[]).map_err(|e| error_text(&e))?;
    savepoint.commit().map_err(|e| error_text(&e))?;
    Ok(rows)
}

fn text(row: &Row, index: usize) -> Option<String> {
    row.try_get::<_, Option<String>>(index).ok().flatten()
}

fn number(row: &Row, index: usize) -> Option<i64> {
    row.try_get::<_, Option<i64>>(index).ok().flatten()
}

fn volume_of_row(row: &Row) -> Result<(StorageDomainId, EngineVolume), String> {
    let uuid = |index: usize, what: &str| -> Result<Uuid, String> {
        let value = text(row, index).ok_or_else(|| format!("a row has no {what}"))?;
        value
            .parse()
            .map_err(|_| format!("{what} `{value}` is not a UUID"))
    };
    let volume = VolumeId(uuid(1, "image_guid")?);
    let domain = StorageDomainId(uuid(0, "storage_domain_id")?);
    let image = DiskId(uuid(2, "image_group_id")?);
    let parent = match text(row, 3) {
        None => None,
        Some(text) => {
            let parent: Uuid = text
                .parse()
                .map_err(|_| format!("volume {volume}: parentid `{text}` is not a UUID"))?;
            (parent != Uuid::NIL).then_some(VolumeId(parent))
        }
    };
    let capacity = number(row, 4)
        .and_then(|n| u64::try_from(n).ok())
        .ok_or_else(|| format!("volume {volume}: its size is missing or negative"))?;
    Ok((
        domain,
        EngineVolume {
            id: volume,
            image,
            parent,
            capacity,
            allocation: number(row, 5).and_then(vocab::allocation_from_db),
            format: number(row, 6).and_then(vocab::format_from_db),
            status: number(row, 7).and_then(EngineStatus::from_db),
            content: number(row, 8).and_then(DiskType::from_db),
            alias: text(row, 9).unwrap_or_default(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_conf_is_read_like_a_shell_would() {
        let source = DbSource::from_engine_conf(
            "# written by engine-setup\nENGINE_DB_HOST=\"localhost\"\nENGINE_DB_PORT=\"5432\"\n\
             ENGINE_DB_USER=\"engine\"\nENGINE_DB_PASSWORD=\"pa\\\"ss\"\nENGINE_DB_DATABASE=\"engine\"\n\
             ENGINE_DB_SECURED=\"False\"\n",
        )
        .unwrap();
        assert_eq!(source.config().get_user(), Some("engine"));
        assert_eq!(source.config().get_password(), Some(&b"pa\"ss"[..]));
        assert_eq!(source.config().get_ports(), &[5432]);
        assert_eq!(source.describe(), "database engine on localhost:5432");
        assert!(!format!("{source:?}").contains("pa\"ss"));
        assert_eq!(
            DbSource::from_engine_conf("ENGINE_DB_HOST=h\nENGINE_DB_SECURED=True\n").unwrap_err(),
            DbConfigError::TlsRequired
        );
        assert_eq!(
            DbSource::from_engine_conf("ENGINE_DB_HOST=h\n").unwrap_err(),
            DbConfigError::Missing("ENGINE_DB_USER")
        );
        assert!(matches!(
            DbSource::from_engine_conf("garbage\n"),
            Err(DbConfigError::BadLine { line: 1, .. })
        ));
    }

    #[test]
    fn connection_strings() {
        let source = DbSource::parse("host=/tmp/pg port=5433 user=postgres dbname=engine")
            .unwrap()
            .with_default_password("secret");
        assert_eq!(source.config().get_password(), Some(&b"secret"[..]));
        assert_eq!(source.describe(), "database engine on /tmp/pg:5433");
        assert!(DbSource::parse("nonsense without equals").is_err());
    }
}
