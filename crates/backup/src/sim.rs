//! Archives laid out the way engine-backup lays them out, with faults planted on request: for
//! tests and demonstrations. The database dumps come from the real `pg_dump` (`dump_database`).

use std::io::{self, Write};
use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::archive::Compression;
use crate::dump::PgRestore;
use crate::report::{Database, REQUIRED_FILES};

/// What to put in an archive.
#[derive(Debug, Clone)]
pub struct ArchiveSpec {
    /// The `version` file (engine-backup's PACKAGE_VERSION).
    pub version: String,
    pub os_version: String,
    /// The archive's own compression (engine-backup's --archive-compressor; gzip by default).
    pub compression: Compression,
    /// The `files` member's compression (--files-compressor; xz by default).
    pub files_compression: Compression,
    /// Product files, paths relative to /.
    pub files: Vec<(String, Vec<u8>)>,
    /// The dumps as stored (already compressed when their compressor says so).
    pub dumps: Vec<(Database, Vec<u8>)>,
    /// The `config` member.
    pub config: String,
    /// `sha256sum` (since 4.3.3) or `md5sum`.
    pub checksum_file: &'static str,
    /// Members whose content is changed after the checksums were taken.
    pub tampered: Vec<String>,
}

impl ArchiveSpec {
    /// A 4.3.10 Manager's backup with engine-backup's defaults: gzip archive, xz files, custom
    /// dumps without a compressor, and every file a restore needs.
    pub fn new(dumps: Vec<(Database, Vec<u8>)>) -> ArchiveSpec {
        ArchiveSpec {
            version: "4.3.10.4".to_owned(),
            os_version: "centos7".to_owned(),
            compression: Compression::Gzip,
            files_compression: Compression::Xz,
            files: REQUIRED_FILES
                .iter()
                .map(|path| (path.to_string(), format!("# {path}\n").into_bytes()))
                .collect(),
            dumps,
            config: "DB_DUMP_COMPRESSOR=\nDB_DUMP_FORMAT=custom\nDWH_DB_DUMP_COMPRESSOR=\n\
                     DWH_DB_DUMP_FORMAT=custom\nCINDERLIB_DB_DUMP_COMPRESSOR=\n\
                     CINDERLIB_DB_DUMP_FORMAT=custom\n"
                .to_owned(),
            checksum_file: "sha256sum",
            tampered: Vec::new(),
        }
    }

    /// The archive's bytes.
    pub fn build(&self) -> io::Result<Vec<u8>> {
        let mut members: Vec<(String, Vec<u8>)> = vec![
            ("files".to_owned(), self.files_member()?),
            (
                "version".to_owned(),
                format!("{}\n", self.version).into_bytes(),
            ),
            (
                "os_version".to_owned(),
                format!("{}\n", self.os_version).into_bytes(),
            ),
            ("config".to_owned(), self.config.clone().into_bytes()),
        ];
        for (database, bytes) in &self.dumps {
            members.push((database.member().to_owned(), bytes.clone()));
        }
        let mut sums = String::new();
        for (name, bytes) in &members {
            let digest: Vec<u8> = if self.checksum_file == "md5sum" {
                md5::Md5::digest(bytes).to_vec()
            } else {
                Sha256::digest(bytes).to_vec()
            };
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            sums.push_str(&format!("{hex}  {name}\n"));
        }
        for (name, bytes) in &mut members {
            if self.tampered.contains(name) {
                bytes.extend_from_slice(b"tampered\n");
            }
        }
        members.push((self.checksum_file.to_owned(), sums.into_bytes()));

        let mut tar = tar::Builder::new(Vec::new());
        for dir in [".", "./db"] {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(tar::EntryType::Directory);
            header.set_mode(0o700);
            header.set_size(0);
            tar.append_data(&mut header, dir, io::empty())?;
        }
        for (name, bytes) in &members {
            append_file(&mut tar, &format!("./{name}"), bytes)?;
        }
        compress(self.compression, &tar.into_inner()?)
    }

    fn files_member(&self) -> io::Result<Vec<u8>> {
        let mut tar = tar::Builder::new(Vec::new());
        for (path, bytes) in &self.files {
            append_file(&mut tar, path, bytes)?;
        }
        compress(self.files_compression, &tar.into_inner()?)
    }
}

fn append_file(tar: &mut tar::Builder<Vec<u8>>, path: &str, bytes: &[u8]) -> io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_mode(0o600);
    header.set_size(bytes.len() as u64);
    tar.append_data(&mut header, path, bytes)
}

/// Compresses `bytes` the way engine-backup's compressors do.
pub fn compress(compression: Compression, bytes: &[u8]) -> io::Result<Vec<u8>> {
    match compression {
        Compression::None => Ok(bytes.to_vec()),
        Compression::Gzip => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(bytes)?;
            encoder.finish()
        }
        Compression::Bzip2 => {
            let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
            encoder.write_all(bytes)?;
            encoder.finish()
        }
        Compression::Xz => {
            let mut encoder =
                lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1))?;
            encoder.write_all(bytes)?;
            encoder.finish()
        }
    }
}

/// Makes a database on the server `connection` (a libpq connection string) from `sql`, dumps
/// it with `pg_dump --format=FORMAT` as engine-backup does, and drops it again. The tools are
/// taken from `pg_bin`.
pub fn dump_database(
    pg_bin: &Path,
    connection: &str,
    name: &str,
    sql: &str,
    format: &str,
) -> Result<Vec<u8>, String> {
    let run = |tool: &str, args: &[&str]| -> Result<Vec<u8>, String> {
        let output = Command::new(pg_bin.join(tool))
            .args(args)
            .output()
            .map_err(|error| format!("cannot run {tool} from {}: {error}", pg_bin.display()))?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(format!(
                "{tool} {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    };
    let database = format!("{connection} dbname={name}");
    let drop = format!("DROP DATABASE IF EXISTS {name}");
    run(
        "psql",
        &[
            "-X",
            "-q",
            connection,
            "-c",
            &drop,
            "-c",
            &format!("CREATE DATABASE {name}"),
        ],
    )?;
    let dumped = run(
        "psql",
        &["-X", "-q", "-v", "ON_ERROR_STOP=1", &database, "-c", sql],
    )
    .and_then(|_| {
        run(
            "pg_dump",
            &[
                "-E",
                "UTF8",
                "--disable-dollar-quoting",
                "--disable-triggers",
                &format!("--format={format}"),
                &database,
            ],
        )
    });
    run("psql", &["-X", "-q", connection, "-c", &drop])?;
    dumped
}

/// A small engine database: the table engine-backup's own verify reads, and one more.
const ENGINE_SQL: &str = "CREATE TABLE vdc_options (option_id serial PRIMARY KEY, \
     option_name text NOT NULL, option_value text NOT NULL, version text NOT NULL DEFAULT 'general'); \
     INSERT INTO vdc_options (option_name, option_value) VALUES ('SSLEnabled', 'true'); \
     CREATE TABLE vds_static (vds_id uuid PRIMARY KEY, vds_name text); \
     INSERT INTO vds_static VALUES ('3b2f0e5c-8a5d-4c7e-9f1a-2d4b6c8e0a13', 'host1');";
const DWH_SQL: &str = "CREATE TABLE history_configuration (var_name text, var_value text); \
     INSERT INTO history_configuration VALUES ('lastDayAggr', '2020-01-01');";

/// Dumps of small engine and DWH databases, made by the real pg_dump.
#[derive(Debug, Clone)]
pub struct SampleDumps {
    /// Custom format, two tables with data.
    pub engine: Vec<u8>,
    /// Custom format, one table.
    pub dwh: Vec<u8>,
    /// The engine database again, plain format (engine-backup's `--small-size`).
    pub engine_plain: Vec<u8>,
}

impl SampleDumps {
    /// Makes them on the server `connection`, with the PostgreSQL tools pg_restore is found
    /// beside; `label` keeps the temporary databases of concurrent callers apart.
    pub fn make(connection: &str, label: &str) -> Result<SampleDumps, String> {
        let tools = PgRestore::find(None)?;
        let dump = |name: &str, sql: &str, format: &str| {
            let database = format!("backup_{label}_{}_{name}", std::process::id());
            dump_database(tools.bin_dir(), connection, &database, sql, format)
        };
        Ok(SampleDumps {
            engine: dump("engine", ENGINE_SQL, "custom")?,
            dwh: dump("dwh", DWH_SQL, "custom")?,
            engine_plain: dump("plain", ENGINE_SQL, "plain")?,
        })
    }

    /// Makes them on the test server OVIRT_UPGRADE_TEST_PG names; the error says how to start it.
    pub fn from_test_server(label: &str) -> Result<SampleDumps, String> {
        let start = "run `export OVIRT_UPGRADE_TEST_PG=\"$(scripts/postgres-test-server)\"` from the \
                     repository root first (it installs PostgreSQL, pg_dump and pg_restore, and starts \
                     a test server)";
        let connection = std::env::var("OVIRT_UPGRADE_TEST_PG")
            .map_err(|_| format!("OVIRT_UPGRADE_TEST_PG is not set: {start}"))?;
        SampleDumps::make(&connection, label).map_err(|error| format!("{error}: {start}"))
    }

    /// A 4.3.10 backup with engine-backup's defaults holding the engine and DWH dumps.
    pub fn archive(&self) -> ArchiveSpec {
        ArchiveSpec::new(vec![
            (Database::Engine, self.engine.clone()),
            (Database::Dwh, self.dwh.clone()),
        ])
    }
}
