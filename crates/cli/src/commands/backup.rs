//! `ovirt-upgrade backup verify FILE`: whether an engine-backup archive can be restored, checked
//! before the Manager it came from is rebuilt (docs/backup.md).

use std::path::PathBuf;

use backup::{ManagerVersion, Options, Report, RestorePath};
use clap::{Args, Subcommand};
use model::{Lang, Text};

use crate::cli::OutputFormat;
use crate::context::Context;
use crate::exit::{input_error, Exit};
use crate::text::{count_of, table, tr};

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Check an engine-backup archive can be restored: its checksums, its version against the
    /// restore target, what it holds, the files a restore needs, and every database dump read
    /// with pg_restore. Exit code 1 when it cannot be restored.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The archive `engine-backup --mode=backup --file=FILE` wrote.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The Manager line or version it will be restored on (`4.4`, `4.4.10.7`)
    /// [default: the line after the backup's, 4.3 → 4.4].
    #[arg(long, value_name = "VERSION")]
    pub target: Option<String>,
    /// The directory holding pg_restore [default: the newest under /usr/lib/postgresql/*/bin,
    /// /usr/pgsql-*/bin, /opt/rh/rh-postgresql*/root/usr/bin, else PATH].
    #[arg(long, value_name = "DIR")]
    pub pg_bin: Option<PathBuf>,
    /// Where the dumps are unpacked while they are read (as engine-backup's --tmpdir)
    /// [default: TMPDIR].
    #[arg(long, value_name = "DIR")]
    pub tmpdir: Option<PathBuf>,
}

pub fn run(command: BackupCommand, ctx: &Context) -> anyhow::Result<Exit> {
    let BackupCommand::Verify(args) = command;
    let target = args
        .target
        .as_deref()
        .map(str::parse::<ManagerVersion>)
        .transpose()
        .map_err(|error| input_error(anyhow::Error::new(error).context("--target")))?;
    let options = Options {
        target,
        pg_bin: args.pg_bin,
        temp_dir: args.tmpdir,
    };
    let report = backup::verify(&args.file, &options).map_err(|error| {
        if error.is_input() {
            input_error(error)
        } else {
            anyhow::Error::new(error)
        }
    })?;
    match ctx.output {
        OutputFormat::Json => super::print_json(&report)?,
        OutputFormat::Text => print!("{}", render_text(&report, ctx.lang)),
    }
    Ok(if report.restorable {
        Exit::Success
    } else {
        Exit::Findings
    })
}

fn render_text(report: &Report, lang: Lang) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |label: &str, value: String| rows.push(vec![format!("  {label}"), value]);
    if let Some(version) = &report.version {
        let os = report
            .os_version
            .as_deref()
            .map(|os| format!(" ({os})"))
            .unwrap_or_default();
        row(tr(lang, "made by", "作成元"), format!("{version}{os}"));
    }
    if let Some(target) = &report.target {
        let how = match report.restore_path {
            Some(RestorePath::SameLine) => tr(lang, " (same line)", " (同じ系列)"),
            Some(RestorePath::Upgrade) => tr(
                lang,
                " (an upgrade engine-backup allows)",
                " (engine-backup が認めるアップグレード)",
            ),
            None => "",
        };
        row(
            tr(lang, "restore on", "リストア先"),
            format!("{target}{how}"),
        );
    }
    let mut archive = report.compression.engine_backup_name().to_owned();
    if let Some(sums) = &report.checksums {
        let (file, matched, listed) = (&sums.file, sums.matched, sums.listed);
        let sums = Text::owned(
            format!("; {file}: {matched} of {listed} members match"),
            format!("; {file}: {listed} 件中 {matched} 件一致"),
        );
        archive.push_str(sums.get(lang));
    }
    row(tr(lang, "archive", "アーカイブ"), archive);
    let scope: Vec<&str> = report
        .scope
        .iter()
        .map(|part| part.describe(lang))
        .collect();
    let none = tr(lang, "nothing", "なし");
    row(
        tr(lang, "holds", "内容"),
        if scope.is_empty() {
            none.to_owned()
        } else {
            scope.join(", ")
        },
    );
    if let Some(files) = &report.files {
        let compression = files.compression.map_or("-", |c| c.engine_backup_name());
        row(
            tr(lang, "files", "ファイル"),
            Text::owned(
                format!("{} entries ({compression})", files.entries),
                format!("{} 件 ({compression})", files.entries),
            )
            .into_lang(lang)
            .into_owned(),
        );
    }
    for dump in &report.dumps {
        let format = dump.format.map_or("?", |f| f.engine_backup_name());
        let mut value = format!("{format}, {}", dump.compression.engine_backup_name());
        if let Some(toc) = dump.toc {
            let (entries, tables) = (toc.entries, toc.tables);
            let toc = Text::owned(
                format!("; {entries} entries, tables with data: {tables}"),
                format!("; エントリ {entries}、データのあるテーブル {tables}"),
            );
            value.push_str(toc.get(lang));
        }
        row(&dump.member, value);
    }
    if let Some(tool) = &report.pg_restore {
        row(
            "pg_restore",
            format!("{} ({})", tool.path.display(), tool.version),
        );
    }

    let mut out = format!(
        "{} {}\n",
        tr(lang, "Backup", "バックアップ"),
        report.archive.display()
    );
    out.push_str(&table(&rows));
    out.push('\n');
    if report.restorable {
        out.push_str(tr(lang, "Restorable: yes\n", "リストア可能: はい\n"));
        return out;
    }
    let findings = count_of(lang, report.findings.len(), ("finding", "findings"), "問題");
    let restorable = Text::owned(
        format!("Restorable: no ({findings})\n"),
        format!("リストア可能: いいえ ({findings})\n"),
    );
    out.push_str(restorable.get(lang));
    // Every message names the member it is about.
    for finding in &report.findings {
        out.push_str(&format!("  ✗ {}\n", finding.message(lang)));
        out.push_str(&format!(
            "    {}: {}\n",
            tr(lang, "hint", "対処"),
            finding.hint(lang)
        ));
    }
    out
}
