//! How `discrepancies` sums up a comparison: on standard error, in either language, so that
//! standard output keeps exactly the Image Discrepancies tool's format.

use discrepancies::report::Summary;
use discrepancies::Report;
use model::{Lang, Text};

use crate::text::tr;

/// The summary on standard error, so that standard output stays exactly the tool's format.
pub fn summary(report: &Report, summary: &Summary, lang: Lang) -> String {
    let t = |en, ja| tr(lang, en, ja);
    let mut out = String::from("\n");
    let Summary {
        domains_checked: domains,
        volumes_on_storage: on_storage,
        volumes_in_engine: in_engine,
        discrepancies: found,
        safe_to_ignore,
        notices,
        transient,
        ..
    } = *summary;
    let ending = if found == 1 { "y" } else { "ies" };
    let mut parts = vec![Text::owned(
        format!("{domains} storage domain(s), {on_storage} volume(s) on storage, {in_engine} in the engine's records: {found} discrepanc{ending}"),
        format!("ストレージドメイン {domains}、ストレージ上のボリューム {on_storage}、エンジンの記録 {in_engine}: 不一致 {found} 件"),
    )];
    if safe_to_ignore > 0 {
        parts.push(Text::owned(
            format!("{safe_to_ignore} on ISO/Export domains (safe to ignore)"),
            format!("ISO/Export ドメイン上 {safe_to_ignore} 件 (無視できます)"),
        ));
    }
    if notices > 0 {
        parts.push(Text::owned(
            format!("{notices} notice(s)"),
            format!("お知らせ {notices} 件"),
        ));
    }
    if report.confirmed {
        parts.push(Text::owned(
            format!("{transient} seen in only one of the two collections (not reported)"),
            format!("2 回の収集の一方でのみ検出 {transient} 件 (報告対象外)"),
        ));
    }
    let parts: Vec<&str> = parts.iter().map(|part| part.get(lang)).collect();
    out.push_str(t("Summary: ", "概要: "));
    out.push_str(&parts.join(t(", ", "、")));
    out.push('\n');
    if !report.not_scanned.is_empty() {
        let list: Vec<String> = report.not_scanned.iter().map(|d| d.to_string()).collect();
        let list = list.join(", ");
        let not_scanned = Text::owned(
            format!(
                "Not scanned: the engine has data domain(s) no storage source covered: {list}\n"
            ),
            format!("未確認: ストレージ側の入力がないデータドメイン: {list}\n"),
        );
        out.push_str(not_scanned.get(lang));
    }
    if summary.discrepancies > 0 && !report.confirmed {
        out.push_str(t(
            "Stop storage activity and run again with --confirm to drop differences caused by operations in flight.\n",
            "ストレージの操作を止め、--confirm を付けて再実行すると、実行中の操作による差異を除外できます。\n",
        ));
    }
    out
}
