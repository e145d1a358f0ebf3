//! The run's journal: an append-only log in SQLite, written before and after every side
//! effect, so that a run killed at any point can be picked up by `resume` (which replays it
//! and reconciles with what the engine says now) and shown by `status`.
//!
//! Schema (`PRAGMA user_version` = [`JOURNAL_FORMAT`]): `run(key, value)` holds the header as
//! JSON under `header` and the kind of run under `kind`; `records(seq, at_ms, kind, body)`
//! holds one record per row, as JSON, in order.
//!
//! Four kinds of runs share the format: the rolling upgrade of a cluster ([`Journal`], with
//! [`RunHeader`] and [`Record`]), the compatibility chain ([`crate::chain::ChainJournal`])
//! the whole upgrade ([`crate::workflow::WorkflowJournal`], whose records name the
//! journals of its runs) and the host migration ([`crate::migrate::MigrateJournal`]). A journal of one kind is refused where another is expected, with
//! the reason; [`kind_of`] tells them apart.

use std::fmt::Debug;
use std::path::Path;

use model::{ClusterId, HostId, SchedulingPolicy, Timestamp, VmId};
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::event::{HostFailure, PolicyReason, Summary};
use crate::options::Options;
use crate::plan::Plan;

/// The journal format this build reads and writes.
pub const JOURNAL_FORMAT: u32 = 1;

/// What a journal holds: the header of its run and its records.
pub trait RunKind {
    /// Its name in the `run` table.
    const NAME: &'static str;
    /// How people call it, in errors.
    const DESCRIPTION: &'static str;
    type Header: Serialize + DeserializeOwned + Clone + Debug;
    type Record: Serialize + DeserializeOwned + Clone + Debug;
    /// The record's kind, a column of its own for people reading the file with sqlite3.
    fn record_kind(record: &Self::Record) -> &'static str;
    /// The run's id, from its header.
    fn run_id(header: &Self::Header) -> &str;
    /// The engine the run was written against, from its header.
    fn engine(header: &Self::Header) -> &str;
}

/// The rolling upgrade of one cluster's hosts.
#[derive(Debug)]
pub struct ClusterRun;

impl RunKind for ClusterRun {
    const NAME: &'static str = "cluster-upgrade";
    const DESCRIPTION: &'static str = "a cluster upgrade";
    type Header = RunHeader;
    type Record = Record;
    fn record_kind(record: &Record) -> &'static str {
        record.kind()
    }
    fn run_id(header: &RunHeader) -> &str {
        &header.run_id
    }
    fn engine(header: &RunHeader) -> &str {
        &header.engine
    }
}

/// The journal of a cluster upgrade.
pub type Journal = Log<ClusterRun>;
/// One record of a cluster upgrade's journal, where it sits.
pub type Entry = LogEntry<Record>;

/// Who and what a run is about. A journal is only ever resumed against the same engine and
/// cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunHeader {
    pub run_id: String,
    /// The engine's identity: its API URL, or `sim:` and the simulated environment.
    pub engine: String,
    pub cluster: ClusterId,
    pub cluster_name: String,
    /// Sent with the engine's upgrade flag and on every request, so its events group together.
    pub correlation_id: String,
    pub created_ms: i64,
    pub options: Options,
}

/// One thing that happened, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    /// A plan: the first, or one made again from the live state.
    Planned {
        revision: u32,
        reason: Option<String>,
        plan: Plan,
    },
    /// The executor started or picked the run up again.
    Began {
        resumed: bool,
    },
    /// A side effect is about to be asked of the engine.
    Intent {
        step: u64,
        action: Action,
    },
    /// The engine answered the call of `step`.
    Answered {
        step: u64,
        answer: Answer,
    },
    /// What the engine did about `step`, as observed afterwards.
    Observed {
        step: u64,
        effect: Effect,
    },
    /// A VM gets another destination than planned.
    Retargeted {
        vm: VmId,
        to: HostId,
        reason: String,
    },
    WaveStarted {
        revision: u32,
        wave: usize,
    },
    HostFinished {
        host: HostId,
        name: String,
        result: HostResult,
    },
    /// The run's progress reached `percent` where the engine cannot show it (before 4.5), so
    /// that a resumed run never reports less.
    Progress {
        percent: u8,
    },
    /// The run stops starting new work.
    Stopping {
        reason: String,
    },
    /// The run's end, once the scheduling policy and the upgrade flag are put back.
    Finished {
        summary: Summary,
    },
}

impl Record {
    fn kind(&self) -> &'static str {
        match self {
            Record::Planned { .. } => "planned",
            Record::Began { .. } => "began",
            Record::Intent { .. } => "intent",
            Record::Answered { .. } => "answered",
            Record::Observed { .. } => "observed",
            Record::Retargeted { .. } => "retargeted",
            Record::WaveStarted { .. } => "wave_started",
            Record::HostFinished { .. } => "host_finished",
            Record::Progress { .. } => "progress",
            Record::Stopping { .. } => "stopping",
            Record::Finished { .. } => "finished",
        }
    }
}

/// A side effect on the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    StartUpgradeFlag,
    UpdateProgress {
        percent: u8,
    },
    FinishUpgradeFlag,
    SetPolicy {
        from: SchedulingPolicy,
        to: SchedulingPolicy,
        reason: PolicyReason,
    },
    UpgradeCheck {
        host: HostId,
    },
    Migrate {
        vm: VmId,
        vm_name: String,
        from: HostId,
        to: HostId,
        force: bool,
    },
    /// A guest shutdown of a pinned VM; its home host is written down before, so a resumed
    /// run starts it again.
    Shutdown {
        vm: VmId,
        vm_name: String,
        host: HostId,
    },
    /// Power off, after a shutdown that did not finish in time.
    PowerOff {
        vm: VmId,
        vm_name: String,
        host: HostId,
    },
    Upgrade {
        host: HostId,
        reboot: bool,
    },
    Start {
        vm: VmId,
        vm_name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    Accepted,
    Refused {
        detail: String,
    },
    /// No answer (the engine was unreachable): the effect is unknown until observed.
    NoAnswer {
        error: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// It happened.
    Done,
    /// It did not happen, or failed.
    Failed { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum HostResult {
    Upgraded {
        seconds: u64,
    },
    Failed {
        failure: HostFailure,
    },
    /// Nothing to do after all: the engine reports no update for it any more.
    Current,
}

/// A run's state folded from its journal, record by record: what `resume` and `status` read.
pub trait Fold: Default {
    type Record;
    /// Takes one record, written at `at`, into the state.
    fn apply(&mut self, at: Timestamp, record: &Self::Record);

    /// The state after every entry, in order.
    fn from_entries(entries: &[LogEntry<Self::Record>]) -> Self {
        let mut state = Self::default();
        for entry in entries {
            state.apply(entry.at, &entry.record);
        }
        state
    }
}

/// Where a record sits: its number and the engine time it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry<R> {
    pub seq: u64,
    pub at: Timestamp,
    pub record: R,
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("journal {path} holds something this build cannot read: {detail}")]
    Format { path: String, detail: String },
    #[error("journal {path} already exists; `ovirt-upgrade resume --journal {path}` continues its run, or remove it to start afresh")]
    Exists { path: String },
    #[error("journal {path} does not exist")]
    Missing { path: String },
    #[error("journal {path} holds {found}, not {expected}")]
    OtherKind {
        path: String,
        found: String,
        expected: &'static str,
    },
    #[error("journal {path} belongs to another engine: it was written against {journal}, this is {engine}")]
    OtherEngine {
        path: String,
        journal: String,
        engine: String,
    },
    #[error("journal {path} belongs to cluster {journal}, not {cluster}")]
    OtherCluster {
        path: String,
        journal: String,
        cluster: String,
    },
    /// The simulated death of the process (tests): nothing more may run.
    #[error("the run was killed after journal write {writes}")]
    Killed { writes: u64 },
}

/// Where to kill a run, for tests: after `writes` journal writes, that last write committed
/// or not. Nothing the run would do afterwards happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KillPoint {
    pub writes: u64,
    pub committed: bool,
}

/// An append-only journal of one run of kind `K`.
pub struct Log<K: RunKind> {
    connection: Connection,
    path: String,
    header: K::Header,
    writes: u64,
    kill: Option<KillPoint>,
    killed: bool,
}

const SCHEMA: &str = "
    CREATE TABLE run (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE records (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL
    );
";

/// The kind of run the journal at `path` holds: [`ClusterRun::NAME`],
/// [`crate::chain::ChainRun::NAME`], [`crate::workflow::WorkflowRun::NAME`] or
/// [`crate::migrate::MigrateRun::NAME`].
pub fn kind_of(path: &Path) -> Result<String, JournalError> {
    let (connection, shown) = open_connection(path)?;
    stored_kind(&connection, &shown)
}

fn open_connection(path: &Path) -> Result<(Connection, String), JournalError> {
    let shown = path.display().to_string();
    if !path.exists() {
        return Err(JournalError::Missing { path: shown });
    }
    let sqlite = |source| JournalError::Sqlite {
        path: shown.clone(),
        source,
    };
    let connection = Connection::open(path).map_err(sqlite)?;
    connection
        .execute_batch("PRAGMA synchronous = FULL;")
        .map_err(sqlite)?;
    let format: u32 = connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(sqlite)?;
    if format != JOURNAL_FORMAT {
        return Err(JournalError::Format {
            path: shown,
            detail: format!("format {format}, this build reads format {JOURNAL_FORMAT}"),
        });
    }
    Ok((connection, shown))
}

/// The kind a journal names; journals written before there were kinds hold cluster upgrades.
fn stored_kind(connection: &Connection, path: &str) -> Result<String, JournalError> {
    let kind: Option<String> = connection
        .query_row("SELECT value FROM run WHERE key = 'kind'", [], |row| {
            row.get(0)
        })
        .optional()
        .map_err(|source| JournalError::Sqlite {
            path: path.to_owned(),
            source,
        })?;
    Ok(kind.unwrap_or_else(|| ClusterRun::NAME.to_owned()))
}

impl<K: RunKind> Log<K> {
    /// A new journal at `path`, which must not exist yet.
    pub fn create(path: &Path, header: K::Header) -> Result<Self, JournalError> {
        let shown = path.display().to_string();
        if path.exists() {
            return Err(JournalError::Exists { path: shown });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| JournalError::Format {
                path: shown.clone(),
                detail: format!("cannot create the directory {}: {e}", dir.display()),
            })?;
        }
        let connection = Connection::open(path).map_err(|source| JournalError::Sqlite {
            path: shown.clone(),
            source,
        })?;
        Self::initialise(connection, shown, header)
    }

    /// A journal kept in memory, for simulations and benchmarks.
    pub fn in_memory(header: K::Header) -> Result<Self, JournalError> {
        let path = "(in memory)".to_owned();
        let connection = Connection::open_in_memory().map_err(|source| JournalError::Sqlite {
            path: path.clone(),
            source,
        })?;
        Self::initialise(connection, path, header)
    }

    fn initialise(
        connection: Connection,
        path: String,
        header: K::Header,
    ) -> Result<Self, JournalError> {
        let sqlite = |source| JournalError::Sqlite {
            path: path.clone(),
            source,
        };
        connection
            .execute_batch("PRAGMA synchronous = FULL;")
            .map_err(sqlite)?;
        connection.execute_batch(SCHEMA).map_err(sqlite)?;
        connection
            .pragma_update(None, "user_version", JOURNAL_FORMAT)
            .map_err(sqlite)?;
        let text = serde_json::to_string(&header).expect("a header serialises");
        connection
            .execute(
                "INSERT INTO run (key, value) VALUES ('header', ?1), ('kind', ?2)",
                params![text, K::NAME],
            )
            .map_err(sqlite)?;
        Ok(Log {
            connection,
            path,
            header,
            writes: 0,
            kill: None,
            killed: false,
        })
    }

    /// The journal at `path`, as a run left it.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        let (connection, shown) = open_connection(path)?;
        let sqlite = |source| JournalError::Sqlite {
            path: shown.clone(),
            source,
        };
        let kind = stored_kind(&connection, &shown)?;
        if kind != K::NAME {
            return Err(JournalError::OtherKind {
                path: shown,
                found: describe_kind(&kind),
                expected: K::DESCRIPTION,
            });
        }
        let text: Option<String> = connection
            .query_row("SELECT value FROM run WHERE key = 'header'", [], |row| {
                row.get(0)
            })
            .optional()
            .map_err(sqlite)?;
        let text = text.ok_or_else(|| JournalError::Format {
            path: shown.clone(),
            detail: "no run header".into(),
        })?;
        let header: K::Header = serde_json::from_str(&text).map_err(|e| JournalError::Format {
            path: shown.clone(),
            detail: format!("run header: {e}"),
        })?;
        Ok(Log {
            connection,
            path: shown,
            header,
            writes: 0,
            kill: None,
            killed: false,
        })
    }

    pub fn header(&self) -> &K::Header {
        &self.header
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Kills the run at `point` (tests).
    pub fn kill_at(&mut self, point: KillPoint) {
        self.kill = Some(point);
    }

    /// The same journal as a restarted process finds it after a kill: what was committed,
    /// and a handle that writes again.
    pub fn reopen(self) -> Self {
        Log {
            writes: 0,
            kill: None,
            killed: false,
            ..self
        }
    }

    /// Writes made through this handle.
    pub fn writes(&self) -> u64 {
        self.writes
    }

    /// Appends one record, durably, before returning.
    pub fn append(&mut self, at: Timestamp, record: &K::Record) -> Result<(), JournalError> {
        if self.killed {
            return Err(JournalError::Killed {
                writes: self.writes,
            });
        }
        let dies_here = self.kill.is_some_and(|k| k.writes == self.writes + 1);
        if dies_here && !self.kill.is_some_and(|k| k.committed) {
            self.killed = true;
            return Err(JournalError::Killed {
                writes: self.writes,
            });
        }
        let body = serde_json::to_string(record).expect("a record serialises");
        self.connection
            .execute(
                "INSERT INTO records (at_ms, kind, body) VALUES (?1, ?2, ?3)",
                params![at.0, K::record_kind(record), body],
            )
            .map_err(|source| JournalError::Sqlite {
                path: self.path.clone(),
                source,
            })?;
        self.writes += 1;
        if dies_here {
            self.killed = true;
            return Err(JournalError::Killed {
                writes: self.writes,
            });
        }
        Ok(())
    }

    /// Refuses a journal written against another engine, with the reason.
    pub fn check_engine(&self, engine: &str) -> Result<(), JournalError> {
        let journal = K::engine(&self.header);
        if journal == engine {
            return Ok(());
        }
        Err(JournalError::OtherEngine {
            path: self.path.clone(),
            journal: journal.to_owned(),
            engine: engine.to_owned(),
        })
    }

    /// Every record, in order.
    pub fn entries(&self) -> Result<Vec<LogEntry<K::Record>>, JournalError> {
        let sqlite = |source| JournalError::Sqlite {
            path: self.path.clone(),
            source,
        };
        let mut statement = self
            .connection
            .prepare("SELECT seq, at_ms, body FROM records ORDER BY seq")
            .map_err(sqlite)?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })
            .map_err(sqlite)?;
        let mut entries = Vec::new();
        for row in rows {
            let (seq, at, body) = row.map_err(sqlite)?;
            let record = serde_json::from_str(&body).map_err(|e| JournalError::Format {
                path: self.path.clone(),
                detail: format!("record {seq}: {e}"),
            })?;
            entries.push(LogEntry {
                seq: seq as u64,
                at: Timestamp(at),
                record,
            });
        }
        Ok(entries)
    }
}

impl Log<ClusterRun> {
    /// Refuses a journal written against another engine or cluster, with the reason.
    pub fn check_target(
        &self,
        engine: &str,
        cluster: ClusterId,
        cluster_name: &str,
    ) -> Result<(), JournalError> {
        self.check_engine(engine)?;
        if self.header.cluster != cluster {
            return Err(JournalError::OtherCluster {
                path: self.path.clone(),
                journal: format!("{} ({})", self.header.cluster_name, self.header.cluster),
                cluster: format!("{cluster_name} ({cluster})"),
            });
        }
        Ok(())
    }
}

/// `text` as a piece of a file name: letters, digits, `-` and `.` kept, the rest `_`.
pub fn slug(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A stored kind as people call it.
fn describe_kind(kind: &str) -> String {
    match kind {
        ClusterRun::NAME => ClusterRun::DESCRIPTION.to_owned(),
        crate::chain::ChainRun::NAME => crate::chain::ChainRun::DESCRIPTION.to_owned(),
        crate::workflow::WorkflowRun::NAME => crate::workflow::WorkflowRun::DESCRIPTION.to_owned(),
        crate::migrate::MigrateRun::NAME => crate::migrate::MigrateRun::DESCRIPTION.to_owned(),
        other => format!("a run of kind `{other}`, which this build does not know"),
    }
}

impl<K: RunKind> std::fmt::Debug for Log<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("kind", &K::NAME)
            .field("path", &self.path)
            .field("writes", &self.writes)
            .finish()
    }
}
