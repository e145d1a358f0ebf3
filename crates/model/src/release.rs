//! What we know about each release line from 4.2 to 4.5: the versions that exist, the
//! cluster levels a Manager accepts, the operating systems and PostgreSQL it needs, and the
//! repositories and module streams the guide enables.
//!
//! Sources are named next to each fact: "guide" is the Japanese Upgrade Guide in
//! `shared/guide/`, "research" the notes in `shared/research/`. Facts about 4.5 lie beyond the
//! guide and come from the oVirt 4.5 release notes.

use crate::os::ElVersion;
use crate::version::{Level, Version};

/// An inclusive range of Enterprise Linux releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElRange {
    pub from: ElVersion,
    pub to: ElVersion,
}

impl ElRange {
    pub fn contains(&self, os: ElVersion) -> bool {
        os.within(self.from, self.to)
    }
}

impl std::fmt::Display for ElRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}–{}", self.from, self.to)
        }
    }
}

const fn el(major: u16, minor: u16) -> ElVersion {
    ElVersion::new(major, minor)
}

const fn range(from: ElVersion, to: ElVersion) -> ElRange {
    ElRange { from, to }
}

/// From which patch release on a Manager accepts a set of cluster levels.
#[derive(Debug, Clone, Copy)]
pub struct LevelsFrom {
    pub patch: u16,
    pub levels: &'static [Level],
}

/// One release line (4.2, 4.3, 4.4, 4.5).
#[derive(Debug)]
pub struct Release {
    pub line: Level,
    /// The newest patch release of the line (oVirt and RHV together).
    pub latest_patch: u16,
    /// Cluster and data-center levels the Manager accepts, growing over the line's patches.
    pub cluster_levels: &'static [LevelsFrom],
    /// Enterprise Linux releases the Manager machine may run.
    pub manager_os: &'static [ElRange],
    /// Enterprise Linux releases hosts may run (RHVH / oVirt Node included by their EL base).
    pub host_os: &'static [ElRange],
    /// PostgreSQL major version of the engine and Data Warehouse databases.
    pub postgresql: &'static str,
    /// Software-collection or module name of that PostgreSQL on the Manager machine.
    pub postgresql_package: &'static str,
    /// Repositories a RHV Manager machine needs (`subscription-manager repos --enable`).
    pub manager_repositories: &'static [&'static str],
    /// Repositories a RHEL host needs.
    pub host_repositories: &'static [&'static str],
    /// Repositories a RHVH host needs.
    pub rhvh_repositories: &'static [&'static str],
    /// Whether the guide covers this line; 4.5 lies beyond it.
    pub in_guide: bool,
}

impl Release {
    pub const fn first(&self) -> Version {
        Version::new(self.line.major, self.line.minor, 0)
    }

    pub const fn latest(&self) -> Version {
        Version::new(self.line.major, self.line.minor, self.latest_patch)
    }

    pub fn contains(&self, version: Version) -> bool {
        version.line() == self.line && version.patch <= self.latest_patch
    }

    /// Cluster levels a Manager of this exact version accepts, oldest first.
    pub fn cluster_levels_at(&self, patch: u16) -> &'static [Level] {
        self.cluster_levels
            .iter()
            .rev()
            .find(|step| step.patch <= patch)
            .map_or(&[], |step| step.levels)
    }

    /// Every level some patch of this line accepts, oldest first.
    pub fn all_cluster_levels(&self) -> &'static [Level] {
        self.cluster_levels.last().map_or(&[], |step| step.levels)
    }

    pub fn manager_os_supported(&self, os: ElVersion) -> bool {
        self.manager_os.iter().any(|r| r.contains(os))
    }

    pub fn host_os_supported(&self, os: ElVersion) -> bool {
        self.host_os.iter().any(|r| r.contains(os))
    }
}

const L36: Level = Level::new(3, 6);
const L40: Level = Level::new(4, 0);
const L41: Level = Level::new(4, 1);
const L42: Level = Level::new(4, 2);
const L43: Level = Level::new(4, 3);
const L44: Level = Level::new(4, 4);
const L45: Level = Level::new(4, 5);
const L46: Level = Level::new(4, 6);
const L47: Level = Level::new(4, 7);

/// Every release line we know, oldest first.
pub static RELEASES: &[Release] = &[
    Release {
        line: Level::new(4, 2),
        latest_patch: 8,
        // research analysis-tools §4: engine-setup's upgradeSupportedVersions '3.6,4.0,4.1,4.2'.
        cluster_levels: &[LevelsFrom {
            patch: 0,
            levels: &[L36, L40, L41, L42],
        }],
        manager_os: &[range(el(7, 5), el(7, 9))],
        host_os: &[range(el(7, 5), el(7, 9))],
        // guide §3.2.5: 4.2 runs PostgreSQL 9.5 from rh-postgresql95.
        postgresql: "9.5",
        postgresql_package: "rh-postgresql95",
        // guide §1.2 / §2.2: the repositories disabled when moving to 4.3.
        manager_repositories: &[
            "rhel-7-server-rpms",
            "rhel-7-server-supplementary-rpms",
            "rhel-7-server-rhv-4.2-manager-rpms",
            "rhel-7-server-rhv-4-manager-tools-rpms",
            "rhel-7-server-ansible-2-rpms",
            "jb-eap-7-for-rhel-7-server-rpms",
        ],
        host_repositories: &[
            "rhel-7-server-rpms",
            "rhel-7-server-rhv-4-mgmt-agent-rpms",
            "rhel-7-server-ansible-2-rpms",
        ],
        rhvh_repositories: &["rhel-7-server-rhvh-4-rpms"],
        in_guide: true,
    },
    Release {
        line: Level::new(4, 3),
        // oVirt ended at 4.3.10, RHV at 4.3.11.
        latest_patch: 11,
        // research analysis-tools §4: 4.3.0 upgradeSupportedVersions '4.1,4.2,4.3'.
        cluster_levels: &[LevelsFrom {
            patch: 0,
            levels: &[L41, L42, L43],
        }],
        manager_os: &[range(el(7, 6), el(7, 9))],
        host_os: &[range(el(7, 6), el(7, 9))],
        // guide §3.2.5: "RHV 4.3 uses PostgreSQL 10 instead of 9.5".
        postgresql: "10",
        postgresql_package: "rh-postgresql10",
        // guide §1.2: `--enable=rhel-7-server-rhv-4.3-manager-rpms --enable=jb-eap-7.2-for-rhel-7-server-rpms`.
        manager_repositories: &[
            "rhel-7-server-rpms",
            "rhel-7-server-supplementary-rpms",
            "rhel-7-server-rhv-4.3-manager-rpms",
            "rhel-7-server-rhv-4-manager-tools-rpms",
            "rhel-7-server-ansible-2-rpms",
            "jb-eap-7.2-for-rhel-7-server-rpms",
        ],
        host_repositories: &[
            "rhel-7-server-rpms",
            "rhel-7-server-rhv-4-mgmt-agent-rpms",
            "rhel-7-server-ansible-2-rpms",
        ],
        rhvh_repositories: &["rhel-7-server-rhvh-4-rpms"],
        in_guide: true,
    },
    Release {
        line: Level::new(4, 4),
        latest_patch: 10,
        // research analysis-tools §4: 4.4.0 accepts '4.2,4.3,4.4'; levels 4.5 (4.4.3, RHEL 8.3) and
        // 4.6 (4.4.6, RHEL 8.4) were appended later; the guide warns about level 4.6 during 4.4.
        cluster_levels: &[
            LevelsFrom {
                patch: 0,
                levels: &[L42, L43, L44],
            },
            LevelsFrom {
                patch: 3,
                levels: &[L42, L43, L44, L45],
            },
            LevelsFrom {
                patch: 6,
                levels: &[L42, L43, L44, L45, L46],
            },
        ],
        // guide §1.1: "Manager 4.4 is supported only on RHEL 8.2 to 8.6".
        manager_os: &[range(el(8, 2), el(8, 6))],
        // guide §1.1: "RHV 4.4 hosts need RHEL 8.2 to 8.6".
        host_os: &[range(el(8, 2), el(8, 6))],
        // Not in the guide: 4.4 ships PostgreSQL 12 as the postgresql:12 module (4.4 release notes).
        postgresql: "12",
        postgresql_package: "postgresql:12",
        // guide §4.1.3 names jb-eap-7.4 (from 4.4.9 on); the rest is the 4.4 Installation Guide's list.
        manager_repositories: &[
            "rhel-8-for-x86_64-baseos-eus-rpms",
            "rhel-8-for-x86_64-appstream-eus-rpms",
            "rhv-4.4-manager-for-rhel-8-x86_64-rpms",
            "fast-datapath-for-rhel-8-x86_64-rpms",
            "jb-eap-7.4-for-rhel-8-x86_64-rpms",
            "openstack-16.2-cinderlib-for-rhel-8-x86_64-rpms",
            "rhceph-4-tools-for-rhel-8-x86_64-rpms",
        ],
        // guide §4.2: the repositories for RHEL 8 hosts, and `release --set=8.6`.
        host_repositories: &[
            "rhel-8-for-x86_64-baseos-eus-rpms",
            "rhel-8-for-x86_64-appstream-eus-rpms",
            "rhv-4-mgmt-agent-for-rhel-8-x86_64-rpms",
            "advanced-virt-for-rhel-8-x86_64-rpms",
            "fast-datapath-for-rhel-8-x86_64-rpms",
        ],
        // guide §4.2: `--enable=rhvh-4-for-rhel-8-x86_64-rpms`.
        rhvh_repositories: &["rhvh-4-for-rhel-8-x86_64-rpms"],
        in_guide: true,
    },
    Release {
        line: Level::new(4, 5),
        latest_patch: 6,
        // oVirt 4.5 release notes: cluster level 4.7 added; 4.2 kept as the oldest.
        cluster_levels: &[LevelsFrom {
            patch: 0,
            levels: &[L42, L43, L44, L45, L46, L47],
        }],
        manager_os: &[range(el(8, 6), el(8, 10)), range(el(9, 0), el(9, 6))],
        host_os: &[range(el(8, 6), el(8, 10)), range(el(9, 0), el(9, 6))],
        postgresql: "12",
        postgresql_package: "postgresql:12",
        // oVirt 4.5 installs from ovirt-release45 rather than subscriptions.
        manager_repositories: &["ovirt-release45"],
        host_repositories: &["ovirt-release45"],
        rhvh_repositories: &["ovirt-release45"],
        in_guide: false,
    },
];

/// Every compatibility level any known Manager accepts, oldest first.
pub const KNOWN_LEVELS: &[Level] = &[L36, L40, L41, L42, L43, L44, L45, L46, L47];

/// Why a version is not one we know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnknownRelease {
    #[error("Manager version {version} does not exist: the {line} line ended at {latest}")]
    PastLatest {
        version: Version,
        line: Level,
        latest: Version,
    },
    #[error("Manager version {version} is not a release this tool knows (known lines: {known})")]
    UnknownLine { version: Version, known: String },
    #[error("compatibility level {level} does not exist (known levels: {known})")]
    UnknownLevel { level: Level, known: String },
}

fn known_lines() -> String {
    RELEASES
        .iter()
        .map(|r| r.line.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The release line `line`, if we know it.
pub fn release(line: Level) -> Option<&'static Release> {
    RELEASES.iter().find(|r| r.line == line)
}

/// The release a Manager version belongs to, refusing versions that never existed.
pub fn release_of(version: Version) -> Result<&'static Release, UnknownRelease> {
    let release = release(version.line()).ok_or_else(|| UnknownRelease::UnknownLine {
        version,
        known: known_lines(),
    })?;
    if release.contains(version) {
        Ok(release)
    } else {
        Err(UnknownRelease::PastLatest {
            version,
            line: release.line,
            latest: release.latest(),
        })
    }
}

/// The release line after `line`, if there is one.
pub fn next_release(line: Level) -> Option<&'static Release> {
    RELEASES.iter().find(|r| r.line > line)
}

/// Refuses compatibility levels no oVirt ever had.
pub fn check_level(level: Level) -> Result<(), UnknownRelease> {
    if KNOWN_LEVELS.contains(&level) {
        Ok(())
    } else {
        let known = KNOWN_LEVELS
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        Err(UnknownRelease::UnknownLevel { level, known })
    }
}

/// Whether an engine has the cluster `upgrade` action (`start`, `finish`): from ovirt-engine
/// 4.3.3 (`BackendClusterResource.upgrade`); older engines have no such path.
pub fn has_cluster_upgrade_action(version: Version) -> bool {
    version >= Version::new(4, 3, 3)
}

/// Whether an engine shows a cluster's upgrade progress (`upgrade_in_progress`,
/// `upgrade_percent_complete`, `upgrade_correlation_id`) and takes `update_progress`: from
/// ovirt-engine 4.5.0 (commit 5cfed654892). Older engines take only `start` and `finish`.
pub fn shows_cluster_upgrade_progress(version: Version) -> bool {
    version >= Version::new(4, 5, 0)
}

/// Whether `POST /hosts` takes the `reboot` parameter (default true) and reboots a new host
/// after its deployment: from ovirt-engine 4.4.5 (commit b4364e3d3cc). Older engines leave it
/// running as deployed.
pub fn reboots_new_hosts(version: Version) -> bool {
    version >= Version::new(4, 4, 5)
}

/// Whether host names and addresses need only be unique within a cluster: from 4.4.0
/// (commit e4fbaa7c540, `HostValidator.nameNotUsed`); before, across the engine.
pub fn host_names_unique_per_cluster(version: Version) -> bool {
    version >= Version::new(4, 4, 0)
}

/// Whether only VMs pinned to a host (not those merely preferring it) keep it from being
/// removed, VMs with its host devices too: from 4.4.4 (commit ba51a5aa33b,
/// `RemoveVdsCommand.validate`).
pub fn only_pinned_vms_block_host_removal(version: Version) -> bool {
    version >= Version::new(4, 4, 4)
}

/// The vdsm a release line's hosts run once up to date (its last update).
pub fn vdsm_version(line: Level) -> &'static str {
    match (line.major, line.minor) {
        (4, 2) => "4.20.46-1.el7ev",
        (4, 3) => "4.30.51-1.el7ev",
        (4, 4) => "4.40.100.2-1.el8ev",
        _ => "4.50.6-1.el8",
    }
}

/// Cluster levels a Manager of `version` accepts (empty for unknown versions).
pub fn supported_cluster_levels(version: Version) -> &'static [Level] {
    release_of(version).map_or(&[], |r| r.cluster_levels_at(version.patch))
}

/// The `virt` module stream a RHEL 8 host enables for a 4.4 Manager version (guide §4.2):
/// virt:8.2 for 4.4.2, virt:8.3 for 4.4.3–4.4.5, virt:av for 4.4.6–4.4.10, and virt:rhel once
/// the host runs RHEL 8.6 or later, where Advanced Virtualization joined the standard stream.
pub fn virt_module_stream(manager: Version, host_os: ElVersion) -> Option<&'static str> {
    if manager.line() != Level::new(4, 4) || host_os.major != 8 {
        return None;
    }
    if host_os.minor.is_some_and(|minor| minor >= 6) {
        return Some("virt:rhel");
    }
    Some(match manager.patch {
        // 4.4.0 and 4.4.1 shipped on RHEL 8.2 like 4.4.2.
        0..=2 => "virt:8.2",
        3..=5 => "virt:8.3",
        _ => "virt:av",
    })
}

/// The cluster level from which VirtIO NICs show up in guests as other devices (guide
/// §1.1.10): VMs may need their network configured again.
pub const NIC_RENAMING_LEVEL: Level = L46;

/// The custom emulated machine that keeps a VM's VirtIO NICs as they were when its cluster
/// leaves `level` for 4.6 or later, where the guide names one: `pc-q35-rhel8.3.0` for 4.5
/// (guide §1.1.10). Other levels: the machine the VM runs now.
pub fn emulated_machine_before_nic_renaming(level: Level) -> Option<&'static str> {
    (level == L45).then_some("pc-q35-rhel8.3.0")
}

/// JBoss EAP repository the 4.4 Manager needs: 7.4 from 4.4.9 on (guide §4.1.3).
pub fn eap_repository(manager: Version) -> Option<&'static str> {
    match (manager.line() == Level::new(4, 4), manager.patch >= 9) {
        (true, true) => Some("jb-eap-7.4-for-rhel-8-x86_64-rpms"),
        (true, false) => Some("jb-eap-7.3-for-rhel-8-x86_64-rpms"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        text.parse().unwrap()
    }

    #[test]
    fn engine_setup_level_windows_from_the_research() {
        // Before moving to 4.3 every level must be ≥ 4.1; before 4.4, ≥ 4.2.
        assert_eq!(supported_cluster_levels(v("4.3.0")).first(), Some(&L41));
        assert_eq!(supported_cluster_levels(v("4.4.0")).first(), Some(&L42));
        assert_eq!(supported_cluster_levels(v("4.2.8")), &[L36, L40, L41, L42]);
        assert!(supported_cluster_levels(v("4.4.10")).contains(&L46));
        assert!(!supported_cluster_levels(v("4.4.2")).contains(&L45));
        assert_eq!(
            release(Level::new(4, 5))
                .unwrap()
                .all_cluster_levels()
                .last(),
            Some(&L47)
        );
    }

    #[test]
    fn facts_from_the_guide() {
        let r43 = release(Level::new(4, 3)).unwrap();
        assert_eq!(r43.postgresql, "10");
        assert!(r43
            .manager_repositories
            .contains(&"rhel-7-server-rhv-4.3-manager-rpms"));
        assert!(r43
            .manager_repositories
            .contains(&"jb-eap-7.2-for-rhel-7-server-rpms"));
        assert_eq!(release(Level::new(4, 2)).unwrap().postgresql, "9.5");
        let r44 = release(Level::new(4, 4)).unwrap();
        assert!(r44.manager_os_supported(ElVersion::new(8, 6)));
        assert!(!r44.manager_os_supported(ElVersion::major_only(7)));
        assert!(!r44.host_os_supported(ElVersion::new(8, 8)));
        assert!(r44
            .host_repositories
            .contains(&"rhv-4-mgmt-agent-for-rhel-8-x86_64-rpms"));
        assert_eq!(
            virt_module_stream(v("4.4.2"), ElVersion::new(8, 2)),
            Some("virt:8.2")
        );
        assert_eq!(
            virt_module_stream(v("4.4.5"), ElVersion::new(8, 3)),
            Some("virt:8.3")
        );
        assert_eq!(
            virt_module_stream(v("4.4.8"), ElVersion::new(8, 5)),
            Some("virt:av")
        );
        assert_eq!(
            virt_module_stream(v("4.4.10"), ElVersion::new(8, 6)),
            Some("virt:rhel")
        );
        assert_eq!(virt_module_stream(v("4.3.11"), ElVersion::new(7, 9)), None);
        assert_eq!(
            eap_repository(v("4.4.9")),
            Some("jb-eap-7.4-for-rhel-8-x86_64-rpms")
        );
        assert_eq!(
            eap_repository(v("4.4.8")),
            Some("jb-eap-7.3-for-rhel-8-x86_64-rpms")
        );
    }

    #[test]
    fn versions_that_never_existed_are_refused() {
        assert!(release_of(v("4.4.10")).is_ok());
        let past = release_of(v("4.4.11")).unwrap_err().to_string();
        assert!(past.contains("4.4.10"), "{past}");
        let unknown = release_of(v("4.7.0")).unwrap_err().to_string();
        assert!(unknown.contains("4.2, 4.3, 4.4, 4.5"), "{unknown}");
        assert!(check_level(Level::new(4, 9)).is_err());
        assert!(check_level(Level::new(4, 3)).is_ok());
        assert_eq!(next_release(Level::new(4, 3)).unwrap().line, L44);
        assert!(next_release(Level::new(4, 5)).is_none());
    }
}
