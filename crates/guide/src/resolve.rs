//! From what the administrator typed, and what an inventory shows, to a complete
//! [`PlanRequest`] — recording for every setting where its value came from.

use std::borrow::Cow;

use model::release::{self, UnknownRelease, RELEASES};
use model::Version;
use serde::{Deserialize, Serialize};

use crate::detect::{Detection, Finding};
use crate::plan::{self, Plan, PlanError};
use crate::request::{
    DeploymentKind, HostTypes, HostUpdate, Options, PlanRequest, Sha1Scope, VersionSpec,
};
use crate::route::RouteError;
use model::Text;

use crate::text::tr;

/// The choices made on the command line; `None` and `false` mean "not said".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    pub from: Option<VersionSpec>,
    pub to: Option<VersionSpec>,
    pub deployment: Option<DeploymentKind>,
    pub remote_engine_db: bool,
    pub remote_dwh: bool,
    pub local_storage: bool,
    pub gluster: bool,
    pub sha1_certs: Option<Sha1Scope>,
    pub external_ca: bool,
    pub ovn: bool,
    pub aaa_ldap: bool,
    pub offline_repo: bool,
    pub new_manager_machine: bool,
    pub host_types: Option<HostTypes>,
    pub host_update: Option<HostUpdate>,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Origin {
    /// Given on the command line.
    Option,
    /// Read from the inventory; `evidence` names the fields.
    Inventory { evidence: Text },
    /// Neither: the planner's default, and why.
    Default { reason: Text },
}

/// One setting of the plan, for the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// The option's name, as on the command line (`remote-dwh`).
    pub name: Cow<'static, str>,
    pub value: String,
    pub origin: Origin,
}

/// A request and the record of how it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub request: PlanRequest,
    pub settings: Vec<Setting>,
}

impl Resolved {
    /// The plan, with the settings record attached.
    pub fn plan(&self) -> Result<Plan, PlanError> {
        let mut plan = plan::plan(&self.request)?;
        plan.settings = self.settings.clone();
        Ok(plan)
    }
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

struct Record(Vec<Setting>);

impl Record {
    fn push(&mut self, name: &'static str, value: String, origin: Origin) {
        self.0.push(Setting {
            name: Cow::Borrowed(name),
            value,
            origin,
        });
    }

    /// A switch: on when typed, else as detected, else off.
    fn switch(
        &mut self,
        name: &'static str,
        typed: bool,
        detected: Option<&Finding<bool>>,
    ) -> bool {
        let (value, origin) = match (typed, detected) {
            (true, _) => (true, Origin::Option),
            (false, Some(finding)) => (
                finding.value,
                Origin::Inventory {
                    evidence: finding.evidence.clone(),
                },
            ),
            (false, None) => (
                false,
                Origin::Default {
                    reason: tr("not asked for", "指定なし"),
                },
            ),
        };
        self.push(name, yes_no(value), origin);
        value
    }
}

fn unknown_line(version: Version) -> PlanError {
    let known = RELEASES
        .iter()
        .map(|r| r.line.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    PlanError::Route(RouteError::UnknownVersion(UnknownRelease::UnknownLine {
        version,
        known,
    }))
}

/// The newest version the guide itself covers (the latest 4.4).
fn guide_latest() -> Version {
    RELEASES
        .iter()
        .rfind(|r| r.in_guide)
        .expect("the guide covers some release")
        .latest()
}

/// Combines the command line with what an inventory shows; the command line wins.
pub fn resolve(choices: &Choices, detected: Option<&Detection>) -> Result<Resolved, PlanError> {
    let mut record = Record(Vec::new());
    let from = match (choices.from, detected) {
        (Some(VersionSpec::Exact(version)), _) => {
            record.push("from", version.to_string(), Origin::Option);
            version
        }
        (Some(VersionSpec::Line(line)), _) => {
            let version = Version::new(line.major, line.minor, 0);
            record.push(
                "from",
                version.to_string(),
                Origin::Default {
                    reason: tr(
                        format!(
                            "--from {line} names no patch release: {version} is assumed, so the \
                             plan starts with the update to the latest {line}"
                        ),
                        format!(
                            "--from {line} にはパッチリリースの指定がないため {version} とみなし、最新の {line} への更新から始めます"
                        ),
                    ),
                },
            );
            version
        }
        (None, Some(detection)) => {
            record.push(
                "from",
                detection.from.value.to_string(),
                Origin::Inventory {
                    evidence: detection.from.evidence.clone(),
                },
            );
            detection.from.value
        }
        (None, None) => {
            return Err(PlanError::Missing {
                what: "the Manager's current version",
                fix: "add --from VERSION (such as 4.3.11), or --inventory FILE to read it",
            })
        }
    };
    let to = match choices.to {
        Some(VersionSpec::Exact(version)) => {
            record.push("to", version.to_string(), Origin::Option);
            version
        }
        Some(VersionSpec::Line(line)) => {
            let version = release::release(line)
                .ok_or_else(|| unknown_line(Version::new(line.major, line.minor, 0)))?
                .latest();
            record.push(
                "to",
                version.to_string(),
                Origin::Default {
                    reason: tr(
                        format!("the latest release of {line}"),
                        format!("{line} の最新リリース"),
                    ),
                },
            );
            version
        }
        None => {
            let guide = guide_latest();
            let (version, reason) = if from < guide {
                (
                    guide,
                    tr(
                        "the newest version the guide covers",
                        "ガイドが扱う最新バージョン",
                    ),
                )
            } else {
                let latest = release::release_of(from)
                    .map_err(|e| PlanError::Route(RouteError::UnknownVersion(e)))?
                    .latest();
                (
                    latest,
                    tr("the latest release of its line", "同じ系列の最新リリース"),
                )
            };
            record.push("to", version.to_string(), Origin::Default { reason });
            version
        }
    };
    let deployment = match (choices.deployment, detected) {
        (Some(kind), _) => {
            record.push("deployment", kind.to_string(), Origin::Option);
            kind
        }
        (None, Some(detection)) => {
            record.push(
                "deployment",
                detection.deployment.value.to_string(),
                Origin::Inventory {
                    evidence: detection.deployment.evidence.clone(),
                },
            );
            detection.deployment.value
        }
        (None, None) => {
            return Err(PlanError::Missing {
                what: "the deployment",
                fix: "add --deployment self-hosted, standalone or standalone-remote-db, or \
                      --inventory FILE to read it",
            })
        }
    };
    let mut remote_engine_db = record.switch(
        "remote-engine-db",
        choices.remote_engine_db,
        detected.map(|d| &d.remote_engine_db),
    );
    let mut remote_dwh = record.switch(
        "remote-dwh",
        choices.remote_dwh,
        detected.map(|d| &d.remote_dwh),
    );
    if deployment == DeploymentKind::StandaloneRemoteDb && !remote_engine_db && !remote_dwh {
        // Chapter 3 covers either database elsewhere; without a word on which, plan for both.
        record
            .0
            .retain(|s| s.name != "remote-engine-db" && s.name != "remote-dwh");
        let reason = tr(
            "standalone-remote-db without --remote-engine-db or --remote-dwh: both databases \
             are taken as remote",
            "--remote-engine-db も --remote-dwh もない standalone-remote-db のため、両方のデータベースをリモートとみなします",
        );
        for name in ["remote-engine-db", "remote-dwh"] {
            record.push(
                name,
                yes_no(true),
                Origin::Default {
                    reason: reason.clone(),
                },
            );
        }
        remote_engine_db = true;
        remote_dwh = true;
    }
    let local_storage = record.switch(
        "local-storage",
        choices.local_storage,
        detected.map(|d| &d.local_storage),
    );
    let gluster = record.switch("gluster", choices.gluster, detected.map(|d| &d.gluster));
    let sha1_certs = match (choices.sha1_certs, detected) {
        (Some(scope), _) => {
            record.push("sha1-certs", scope.to_string(), Origin::Option);
            Some(scope)
        }
        (None, Some(detection)) => {
            let finding = &detection.sha1_certs;
            record.push(
                "sha1-certs",
                finding
                    .value
                    .map_or_else(|| "no".to_owned(), |s| s.to_string()),
                Origin::Inventory {
                    evidence: finding.evidence.clone(),
                },
            );
            finding.value
        }
        (None, None) => {
            record.push(
                "sha1-certs",
                "no".to_owned(),
                Origin::Default {
                    reason: tr("not asked for", "指定なし"),
                },
            );
            None
        }
    };
    let external_ca = record.switch(
        "external-ca",
        choices.external_ca,
        detected.map(|d| &d.external_ca),
    );
    let ovn = record.switch("ovn", choices.ovn, detected.map(|d| &d.ovn));
    let aaa_ldap = record.switch("aaa-ldap", choices.aaa_ldap, detected.map(|d| &d.aaa_ldap));
    let offline_repo = record.switch("offline-repo", choices.offline_repo, None);
    let new_manager_machine =
        record.switch("new-manager-machine", choices.new_manager_machine, None);
    let host_types = match (
        choices.host_types,
        detected.and_then(|d| d.host_types.as_ref()),
    ) {
        (Some(types), _) => {
            record.push("host-type", types.to_string(), Origin::Option);
            types
        }
        (None, Some(finding)) => {
            record.push(
                "host-type",
                finding.value.to_string(),
                Origin::Inventory {
                    evidence: finding.evidence.clone(),
                },
            );
            finding.value
        }
        (None, None) => {
            record.push(
                "host-type",
                HostTypes::Mixed.to_string(),
                Origin::Default {
                    reason: tr(
                        "host types unknown: both RHEL and RHVH variants are shown",
                        "ホストの種類が不明のため、RHEL と RHVH の両方の手順を示します",
                    ),
                },
            );
            HostTypes::Mixed
        }
    };
    let host_update = match choices.host_update {
        Some(method) => {
            record.push("host-update", method.to_string(), Origin::Option);
            method
        }
        None => {
            record.push(
                "host-update",
                HostUpdate::Cluster.to_string(),
                Origin::Default {
                    reason: tr(
                        "the guide's main way: the Administration Portal's cluster upgrade",
                        "ガイドの標準の方法 (管理ポータルのクラスターアップグレード)",
                    ),
                },
            );
            HostUpdate::Cluster
        }
    };
    let request = PlanRequest {
        from,
        to,
        deployment,
        options: Options {
            remote_engine_db,
            remote_dwh,
            local_storage,
            gluster,
            sha1_certs,
            external_ca,
            ovn,
            aaa_ldap,
            offline_repo,
            new_manager_machine,
            host_types,
            host_update,
        },
        environment: detected.map(|d| d.environment.clone()),
    };
    Ok(Resolved {
        request,
        settings: record.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Option<VersionSpec> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn options_alone_give_a_request_with_defaults_recorded() {
        let choices = Choices {
            from: spec("4.3"),
            deployment: Some(DeploymentKind::Standalone),
            gluster: true,
            ..Choices::default()
        };
        let resolved = resolve(&choices, None).unwrap();
        assert_eq!(resolved.request.from, Version::new(4, 3, 0));
        assert_eq!(resolved.request.to, guide_latest());
        assert!(resolved.request.options.gluster);
        let origin = |name: &str| {
            resolved
                .settings
                .iter()
                .find(|s| s.name == name)
                .unwrap()
                .origin
                .clone()
        };
        assert_eq!(origin("gluster"), Origin::Option);
        assert!(matches!(origin("to"), Origin::Default { .. }));
        assert!(matches!(origin("from"), Origin::Default { .. }));
    }

    #[test]
    fn remote_db_without_saying_which_means_both() {
        let choices = Choices {
            from: spec("4.3.11"),
            deployment: Some(DeploymentKind::StandaloneRemoteDb),
            ..Choices::default()
        };
        let resolved = resolve(&choices, None).unwrap();
        assert!(resolved.request.options.remote_engine_db);
        assert!(resolved.request.options.remote_dwh);
        let count = resolved
            .settings
            .iter()
            .filter(|s| s.name.starts_with("remote-"))
            .count();
        assert_eq!(count, 2);
    }

    #[test]
    fn missing_inputs_name_the_fix() {
        let err = resolve(&Choices::default(), None).unwrap_err().to_string();
        assert!(err.contains("--from VERSION"), "{err}");
        let choices = Choices {
            from: spec("4.3.11"),
            ..Choices::default()
        };
        let err = resolve(&choices, None).unwrap_err().to_string();
        assert!(err.contains("--deployment"), "{err}");
        let choices = Choices {
            from: spec("4.3.11"),
            to: spec("4.9"),
            deployment: Some(DeploymentKind::Standalone),
            ..Choices::default()
        };
        let err = resolve(&choices, None).unwrap_err().to_string();
        assert!(err.contains("4.9.0"), "{err}");
    }
}
