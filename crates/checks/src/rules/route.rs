//! The route from the Manager's version to the target: one line at a time, the end of the
//! current line first, and the Manager machine's operating system.

use model::{release, Text};

use super::manager_evidence;
use crate::facts::{os_ranges, Facts};
use crate::rule::*;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "route.skips-release-line",
        severity: Severity::Fail,
        section: Section::Route,
        scope: Scope::Manager,
        title: Text::new(
            "The target is at most one release line ahead",
            "ターゲットは 1 つ先のリリース系列まで",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "Go one release line at a time: check and upgrade to the release named in the finding, then check again for the next line.",
            "リリース系列は 1 つずつ進めます。検出結果に示されたリリースを対象にチェックしてアップグレードし、その後で次の系列を改めてチェックします。",
        ),
        check: skips_release_line,
    },
    Rule {
        id: "route.manager-not-latest",
        severity: Severity::Warn,
        section: Section::Route,
        scope: Scope::Manager,
        title: Text::new(
            "The Manager is on the newest release of its line before it changes line",
            "系列を移る前に Manager がその系列の最新リリースである",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "On the Manager machine run `engine-upgrade-check`, `yum update ovirt\\*setup\\* rh\\*vm-setup-plugins`, `engine-setup`, then `yum update` (a self-hosted engine in global maintenance).",
            "Manager マシンで `engine-upgrade-check`、`yum update ovirt\\*setup\\* rh\\*vm-setup-plugins`、`engine-setup`、`yum update` の順に実行します (セルフホストエンジンはグローバルメンテナンスモードで)。",
        ),
        check: manager_not_latest,
    },
    Rule {
        id: "route.manager-os-reinstall",
        severity: Severity::Info,
        section: Section::Route,
        scope: Scope::Manager,
        title: Text::new(
            "The Manager machine's OS major release suits the target",
            "Manager マシンの OS メジャーリリースがターゲットに合っている",
        ),
        blocks: &[],
        fix: Text::new(
            "Standalone: install the new OS cleanly, restore `engine-backup --scope=all` there and run `engine-setup`. Self-hosted: reinstall one hosted-engine host and run `hosted-engine --deploy --restore-from-file=backup.bck`.",
            "スタンドアロン: 新しい OS をクリーンインストールし、`engine-backup --scope=all` のバックアップを復元して `engine-setup` を実行します。セルフホスト: セルフホストエンジンホストを 1 台再インストールし、`hosted-engine --deploy --restore-from-file=backup.bck` を実行します。",
        ),
        check: manager_os_reinstall,
    },
    Rule {
        id: "route.manager-os-unsupported",
        severity: Severity::Fail,
        section: Section::Route,
        scope: Scope::Manager,
        title: Text::new(
            "The Manager machine's OS release is one the target supports",
            "Manager マシンの OS リリースをターゲットがサポートしている",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "Bring the Manager machine into the supported range before engine-setup: set `subscription-manager release` to a supported minor and `dnf update`; an OS newer than the range needs a target that supports it.",
            "engine-setup の前に Manager マシンをサポート範囲に合わせます。`subscription-manager release` をサポートされるマイナーに設定して `dnf update` します。範囲より新しい OS の場合は、それをサポートするターゲットを選びます。",
        ),
        check: manager_os_unsupported,
    },
];

fn skips_release_line(f: &Facts) -> Outcome {
    let Some(next) = release::next_release(f.current.line()) else {
        return Outcome::pass();
    };
    if f.target.line() <= next.line {
        return Outcome::pass();
    }
    let (current, target, via) = (f.current, f.target, next.latest());
    Outcome::Found(vec![Finding::new(
        Text::owned(
            format!(
                "Manager {current} cannot go straight to {target}: the route passes through {via}. \
                 Run `ovirt-upgrade check --target {via}` and upgrade to it first"
            ),
            format!(
                "Manager {current} から {target} へは直接アップグレードできず、{via} を経由します。\
                 まず `ovirt-upgrade check --target {via}` を実行し、{via} へアップグレードしてください"
            ),
        ),
        vec![manager_evidence(f, Text::same(format!("{current} → {target}")))],
    )])
}

fn manager_not_latest(f: &Facts) -> Outcome {
    if !f.changes_line() {
        return Outcome::skip(Text::new(
            "the target is in the Manager's own release line",
            "ターゲットは Manager と同じリリース系列です",
        ));
    }
    let latest = f.current_release.latest();
    if f.current >= latest {
        return Outcome::pass();
    }
    let (current, line, target) = (f.current, f.current_release.line, f.target);
    Outcome::Found(vec![Finding::new(
        Text::owned(
            format!("Manager {current} must first be updated to {latest}, the newest {line} release, before it moves to {target}"),
            format!("Manager {current} は {target} へ移る前に、{line} 系列の最新リリース {latest} へ更新する必要があります"),
        ),
        vec![manager_evidence(f, Text::same(format!("{current} → {latest}")))],
    )])
}

fn manager_os_reinstall(f: &Facts) -> Outcome {
    let os = f.inventory.manager.os;
    let same_major = f
        .target_release
        .manager_os
        .iter()
        .any(|r| (r.from.major..=r.to.major).contains(&os.major));
    if same_major {
        return Outcome::pass();
    }
    let (target, ranges) = (f.target, os_ranges(f.target_release, true));
    let (how_en, how_ja) = if f.self_hosted() {
        (
            "the Manager VM is deployed anew with `hosted-engine --deploy --restore-from-file`",
            "Manager 用仮想マシンを `hosted-engine --deploy --restore-from-file` で新たにデプロイします",
        )
    } else {
        (
            "an engine-backup is restored onto a cleanly installed machine",
            "クリーンインストールしたマシンに engine-backup を復元します",
        )
    };
    Outcome::Found(vec![Finding::new(
        Text::owned(
            format!("Manager {target} runs on {ranges} and the Manager machine runs {os}: {how_en}"),
            format!("Manager {target} は {ranges} で動作し、現在の Manager マシンは {os} です。{how_ja}"),
        ),
        vec![manager_evidence(f, Text::same(os.to_string()))],
    )])
}

fn manager_os_unsupported(f: &Facts) -> Outcome {
    let os = f.inventory.manager.os;
    let ranges = f.target_release.manager_os;
    let same_major = ranges
        .iter()
        .any(|r| (r.from.major..=r.to.major).contains(&os.major));
    if !same_major || f.target_release.manager_os_supported(os) {
        return Outcome::pass();
    }
    let (target, ranges) = (f.target, os_ranges(f.target_release, true));
    Outcome::Found(vec![Finding::new(
        Text::owned(
            format!(
                "The Manager machine runs {os}, outside what Manager {target} supports ({ranges})"
            ),
            format!(
                "Manager マシンの {os} は、Manager {target} のサポート範囲 ({ranges}) の外です"
            ),
        ),
        vec![manager_evidence(f, Text::same(os.to_string()))],
    )])
}

#[cfg(test)]
mod tests {
    use model::ElVersion;

    use crate::testing::*;

    #[test]
    fn skipping_a_line_fails_and_the_next_line_does_not() {
        let mut inventory = clean_43();
        inventory.manager.version = v("4.2.8");
        inventory.manager.os = ElVersion::new(7, 6);
        assert_fires("route.skips-release-line", &inventory, Some("4.4.10"));
        assert_quiet("route.skips-release-line", &inventory, Some("4.3.11"));
        assert_quiet("route.skips-release-line", &clean_43(), Some("4.4.10"));
    }

    #[test]
    fn the_end_of_the_line_comes_first() {
        let mut inventory = clean_43();
        inventory.manager.version = v("4.3.8");
        assert_fires("route.manager-not-latest", &inventory, Some("4.4.10"));
        assert_skipped("route.manager-not-latest", &inventory, Some("4.3.11"));
        assert_quiet("route.manager-not-latest", &clean_43(), Some("4.4.10"));
    }

    #[test]
    fn el7_manager_moves_to_a_new_machine_for_4_4() {
        assert_fires("route.manager-os-reinstall", &clean_43(), Some("4.4.10"));
        assert_quiet("route.manager-os-reinstall", &clean_43(), Some("4.3.11"));
        assert_quiet("route.manager-os-reinstall", &clean(), None);
    }

    #[test]
    fn manager_os_outside_the_range_of_its_major_fails() {
        let mut inventory = clean_44();
        inventory.manager.os = ElVersion::new(8, 1);
        assert_fires("route.manager-os-unsupported", &inventory, Some("4.4.10"));
        assert_quiet("route.manager-os-unsupported", &clean_44(), Some("4.4.10"));
        // A different major is a reinstall, not this rule.
        assert_quiet("route.manager-os-unsupported", &clean_43(), Some("4.4.10"));
    }
}
