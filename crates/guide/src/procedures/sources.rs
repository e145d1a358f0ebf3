//! Where each procedure sits in the guide: its section number in every chapter that has it.
//! A procedure used outside its chapter (the SHA-1 replacement on a 4.4 route, say) still
//! cites the guide's own section for the same deployment.

use crate::request::DeploymentKind;
use crate::route::{Hop, HopKind};
use crate::step::Source;

/// A chapter of the guide: one route for one deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chapter {
    /// 1.1: self-hosted engine, 4.3 → 4.4.
    SelfHosted44,
    /// 1.2: self-hosted engine, 4.2 → 4.3.
    SelfHosted43,
    /// 2.1: standalone, local databases, 4.3 → 4.4.
    Standalone44,
    /// 2.2: standalone, local databases, 4.2 → 4.3.
    Standalone43,
    /// 3.1: standalone, remote databases, 4.3 → 4.4.
    Remote44,
    /// 3.2: standalone, remote databases, 4.2 → 4.3.
    Remote43,
    /// 4.1: minor updates of 4.4, every deployment.
    Minor,
}

impl Chapter {
    /// The chapter the guide gives for a hop, if it has one.
    pub(crate) fn of(hop: &Hop, deployment: DeploymentKind) -> Option<Chapter> {
        use DeploymentKind::*;
        let target = (hop.to.major, hop.to.minor);
        match (hop.kind, target, deployment) {
            (HopKind::Upgrade, (4, 4), SelfHosted) => Some(Chapter::SelfHosted44),
            (HopKind::Upgrade, (4, 4), Standalone) => Some(Chapter::Standalone44),
            (HopKind::Upgrade, (4, 4), StandaloneRemoteDb) => Some(Chapter::Remote44),
            (HopKind::Upgrade, (4, 3), SelfHosted) => Some(Chapter::SelfHosted43),
            (HopKind::Upgrade, (4, 3), Standalone) => Some(Chapter::Standalone43),
            (HopKind::Upgrade, (4, 3), StandaloneRemoteDb) => Some(Chapter::Remote43),
            (HopKind::Update, (4, 4), _) => Some(Chapter::Minor),
            _ => None,
        }
    }

    /// The chapter whose procedures fit a hop the guide has no chapter for: the 4.2 → 4.3
    /// chapter for 4.2 updates (it updates 4.2 first), the 4.3 → 4.4 one for 4.3 updates, and
    /// the 4.4 minor-update chapter for everything after 4.4.
    pub(crate) fn nearest(hop: &Hop, deployment: DeploymentKind) -> Chapter {
        use DeploymentKind::*;
        let source = (hop.from.major, hop.from.minor);
        match (source, deployment) {
            ((4, 2), SelfHosted) => Chapter::SelfHosted43,
            ((4, 2), Standalone) => Chapter::Standalone43,
            ((4, 2), StandaloneRemoteDb) => Chapter::Remote43,
            ((4, 3), SelfHosted) => Chapter::SelfHosted44,
            ((4, 3), Standalone) => Chapter::Standalone44,
            ((4, 3), StandaloneRemoteDb) => Chapter::Remote44,
            _ => Chapter::Minor,
        }
    }

    /// The chapter's number in the guide, such as `2.1`.
    pub(crate) fn number(self) -> &'static str {
        match self {
            Chapter::SelfHosted44 => "1.1",
            Chapter::SelfHosted43 => "1.2",
            Chapter::Standalone44 => "2.1",
            Chapter::Standalone43 => "2.2",
            Chapter::Remote44 => "3.1",
            Chapter::Remote43 => "3.2",
            Chapter::Minor => "4.1",
        }
    }

    fn deployment(self) -> Option<DeploymentKind> {
        match self {
            Chapter::SelfHosted44 | Chapter::SelfHosted43 => Some(DeploymentKind::SelfHosted),
            Chapter::Standalone44 | Chapter::Standalone43 => Some(DeploymentKind::Standalone),
            Chapter::Remote44 | Chapter::Remote43 => Some(DeploymentKind::StandaloneRemoteDb),
            Chapter::Minor => None,
        }
    }
}

/// The guide's procedures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Proc {
    Analyze,
    ImageDiscrepancies,
    EvacuateHostedEngineHost,
    GlobalMaintenanceOn,
    UpdateManager,
    RemotePostgresql,
    UpgradeManager,
    RemoteDwhFinish43,
    RemoteDwh44,
    GlobalMaintenanceOff,
    UpdateClusterHosts,
    MigrateHosts44,
    LocalStorage,
    Gluster,
    ClusterCompat,
    VmCompat,
    DataCenterCompat,
    Sha1,
    UpdateIndividualHost,
    UpdateHostManually,
    Ovn,
    OfflineManagerRepository,
    OfflineRhvhRepository,
}

use Chapter::*;
use Proc::*;

/// Every (procedure, chapter, section) of the guide.
const SECTIONS: &[(Proc, Chapter, &str)] = &[
    (Analyze, SelfHosted44, "1.1.3"),
    (Analyze, SelfHosted43, "1.2.3"),
    (Analyze, Standalone44, "2.1.3"),
    (Analyze, Standalone43, "2.2.3"),
    (Analyze, Remote44, "3.1.3"),
    (Analyze, Remote43, "3.2.3"),
    (Analyze, Minor, "4.1.2"),
    (ImageDiscrepancies, SelfHosted44, "1.1.3.1"),
    (ImageDiscrepancies, SelfHosted43, "1.2.3.1"),
    (ImageDiscrepancies, Standalone44, "2.1.3.1"),
    (ImageDiscrepancies, Standalone43, "2.2.3.1"),
    (ImageDiscrepancies, Remote44, "3.1.3.1"),
    (ImageDiscrepancies, Remote43, "3.2.3.1"),
    (ImageDiscrepancies, Minor, "4.1.2.1"),
    (EvacuateHostedEngineHost, SelfHosted44, "1.1.4"),
    (GlobalMaintenanceOn, SelfHosted44, "1.1.5"),
    (GlobalMaintenanceOn, SelfHosted43, "1.2.4"),
    (GlobalMaintenanceOn, Minor, "4.1.4"),
    (UpdateManager, SelfHosted44, "1.1.6"),
    (UpdateManager, SelfHosted43, "1.2.5"),
    (UpdateManager, Standalone44, "2.1.4"),
    (UpdateManager, Standalone43, "2.2.4"),
    (UpdateManager, Remote44, "3.1.4"),
    (UpdateManager, Remote43, "3.2.4"),
    (UpdateManager, Minor, "4.1.3"),
    (RemotePostgresql, Remote43, "3.2.5"),
    (UpgradeManager, SelfHosted44, "1.1.7"),
    (UpgradeManager, SelfHosted43, "1.2.6"),
    (UpgradeManager, Standalone44, "2.1.5"),
    (UpgradeManager, Standalone43, "2.2.5"),
    (UpgradeManager, Remote44, "3.1.5"),
    (UpgradeManager, Remote43, "3.2.6"),
    (RemoteDwhFinish43, Remote43, "3.2.6.1"),
    (RemoteDwh44, Remote44, "3.1.6"),
    (GlobalMaintenanceOff, SelfHosted43, "1.2.7"),
    (GlobalMaintenanceOff, Minor, "4.1.4"),
    (UpdateClusterHosts, SelfHosted43, "1.2.8"),
    (UpdateClusterHosts, Standalone43, "2.2.6"),
    (UpdateClusterHosts, Remote43, "3.2.7"),
    (UpdateClusterHosts, Minor, "4.1.5"),
    (MigrateHosts44, SelfHosted44, "1.1.8"),
    (MigrateHosts44, Standalone44, "2.1.6"),
    (MigrateHosts44, Remote44, "3.1.7"),
    (LocalStorage, SelfHosted44, "1.1.9"),
    (LocalStorage, Standalone44, "2.1.7"),
    (LocalStorage, Remote44, "3.1.8"),
    (Gluster, Standalone44, "2.1.8"),
    (ClusterCompat, SelfHosted44, "1.1.10"),
    (ClusterCompat, SelfHosted43, "1.2.9"),
    (ClusterCompat, Standalone44, "2.1.9"),
    (ClusterCompat, Standalone43, "2.2.7"),
    (ClusterCompat, Remote44, "3.1.9"),
    (ClusterCompat, Remote43, "3.2.8"),
    (ClusterCompat, Minor, "4.1.6"),
    (VmCompat, SelfHosted44, "1.1.11"),
    (VmCompat, SelfHosted43, "1.2.10"),
    (VmCompat, Standalone44, "2.1.10"),
    (VmCompat, Standalone43, "2.2.8"),
    (VmCompat, Remote44, "3.1.10"),
    (VmCompat, Remote43, "3.2.9"),
    (VmCompat, Minor, "4.1.7"),
    (DataCenterCompat, SelfHosted44, "1.1.12"),
    (DataCenterCompat, SelfHosted43, "1.2.11"),
    (DataCenterCompat, Standalone44, "2.1.11"),
    (DataCenterCompat, Standalone43, "2.2.9"),
    (DataCenterCompat, Remote44, "3.1.11"),
    (DataCenterCompat, Remote43, "3.2.10"),
    (DataCenterCompat, Minor, "4.1.8"),
    (Sha1, SelfHosted43, "1.2.12"),
    (Sha1, Standalone43, "2.2.10"),
    (Sha1, Remote43, "3.2.11"),
    (UpdateIndividualHost, Minor, "4.1.9"),
    (UpdateHostManually, Minor, "4.1.10"),
    (Ovn, SelfHosted44, "1.1"),
    (Ovn, Standalone44, "2.1"),
    (Ovn, Remote44, "3.1"),
    (Ovn, Minor, "4.1"),
    (OfflineManagerRepository, Minor, "A"),
    (OfflineRhvhRepository, Minor, "B"),
];

/// The section to cite for a procedure: the given chapter's if it has the procedure, else the
/// same deployment's copy, else any copy.
pub(crate) fn cite(proc: Proc, chapter: Chapter, deployment: DeploymentKind) -> Source {
    let rows = || SECTIONS.iter().filter(|(p, _, _)| *p == proc);
    rows()
        .find(|(_, c, _)| *c == chapter)
        .or_else(|| rows().find(|(_, c, _)| c.deployment() == Some(deployment)))
        .or_else(|| rows().next())
        .map(|(_, _, section)| Source::Guide { section })
        .expect("every procedure has a section in the table")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_procedure_has_a_section() {
        let all = [
            Analyze,
            ImageDiscrepancies,
            EvacuateHostedEngineHost,
            GlobalMaintenanceOn,
            UpdateManager,
            RemotePostgresql,
            UpgradeManager,
            RemoteDwhFinish43,
            RemoteDwh44,
            GlobalMaintenanceOff,
            UpdateClusterHosts,
            MigrateHosts44,
            LocalStorage,
            Gluster,
            ClusterCompat,
            VmCompat,
            DataCenterCompat,
            Sha1,
            UpdateIndividualHost,
            UpdateHostManually,
            Ovn,
            OfflineManagerRepository,
            OfflineRhvhRepository,
        ];
        for proc in all {
            for deployment in DeploymentKind::ALL {
                cite(proc, Minor, *deployment);
            }
        }
        assert_eq!(
            cite(Sha1, Minor, DeploymentKind::Standalone),
            Source::Guide { section: "2.2.10" }
        );
        assert_eq!(
            cite(UpdateManager, Remote43, DeploymentKind::StandaloneRemoteDb),
            Source::Guide { section: "3.2.4" }
        );
    }
}
