//! The checklist planner: a resolved request in, the ordered checklist out. Pure.

use model::Level;
use serde::Serialize;

use crate::procedures::{self, sources::Chapter, Ctx};
use crate::request::{DeploymentKind, PlanRequest, Sha1Scope};
use crate::resolve::Setting;
use crate::route::{self, Hop, HopKind, Route, RouteError};
use crate::step::{Section, Step};
use model::Text;

use crate::text::tr;

/// The checklist of one hop: the guide's chapter for it, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    pub hop: Hop,
    /// The guide's chapter (`2.1`), or none beyond the guide.
    pub chapter: Option<&'static str>,
    pub title: Text,
    pub sections: Vec<Section>,
}

/// The whole checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub request: PlanRequest,
    pub route: Route,
    /// Where each setting came from: an option, the inventory, or a default.
    pub settings: Vec<Setting>,
    /// What the reader should know about the plan as a whole.
    pub notes: Vec<Text>,
    pub parts: Vec<Part>,
}

/// Why no plan can be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Route(#[from] RouteError),
    #[error("conflicting options: {what} ({fix})")]
    Conflict {
        what: &'static str,
        fix: &'static str,
    },
    #[error("{what} is missing ({fix})")]
    Missing {
        what: &'static str,
        fix: &'static str,
    },
    #[error(
        "this build has no procedure for the hop {hop} (the release knowledge base knows the line, \
         the guide crate does not yet)"
    )]
    NoProcedure { hop: String },
}

/// Refuses option combinations the guide has no procedure for.
fn check_options(request: &PlanRequest) -> Result<(), PlanError> {
    let options = &request.options;
    let remote = options.remote_engine_db || options.remote_dwh;
    match request.deployment {
        DeploymentKind::Standalone if remote => Err(PlanError::Conflict {
            what: "--deployment standalone is the guide's chapter 2, with both databases on the \
                   Manager machine, but a remote database was asked for",
            fix: "use --deployment standalone-remote-db (chapter 3)",
        }),
        DeploymentKind::SelfHosted if remote => Err(PlanError::Conflict {
            what: "the guide's self-hosted chapter keeps both databases inside the Manager VM and \
                   has no procedure for remote ones",
            fix: "drop --remote-engine-db / --remote-dwh, or plan a standalone Manager",
        }),
        DeploymentKind::StandaloneRemoteDb if !remote => Err(PlanError::Missing {
            what: "which database is remote",
            fix: "add --remote-engine-db, --remote-dwh or both",
        }),
        _ if options.sha1_certs == Some(Sha1Scope::Apache) && options.external_ca => {
            Err(PlanError::Conflict {
                what:
                    "--sha1-certs=apache re-signs the Apache certificate with the engine CA, but \
                       --external-ca says an external CA issued it",
                fix: "renew that certificate through the external CA, or use --sha1-certs=all, \
                      which leaves it alone",
            })
        }
        _ => Ok(()),
    }
}

fn part_title(hop: &Hop, chapter: Option<Chapter>) -> Text {
    let (verb_en, verb_ja) = match hop.kind {
        HopKind::Update => ("Update", "更新"),
        HopKind::Upgrade => ("Upgrade", "アップグレード"),
    };
    let (where_en, where_ja) = match chapter {
        Some(chapter) => (
            format!("guide chapter {}", chapter.number()),
            format!("ガイド {}", chapter.number()),
        ),
        None => ("beyond the guide".to_owned(), "ガイド外".to_owned()),
    };
    tr(
        format!("{verb_en} {} → {} ({where_en})", hop.from, hop.to),
        format!("{} → {} の{verb_ja} ({where_ja})", hop.from, hop.to),
    )
}

fn notes(request: &PlanRequest, route: &Route) -> Vec<Text> {
    let mut notes = Vec::new();
    if route.hops.iter().any(|hop| !hop.in_guide()) {
        notes.push(tr(
            "The guide ends with 4.4: the 4.5 steps come from oVirt's own upgrade notes and \
             release notes, and are marked \"beyond the guide\". They are for oVirt only: Red \
             Hat Virtualization has no 4.5 line, and oVirt's CentOS repositories \
             (centos-release-ovirt45) must never be added to RHV machines.",
            "ガイドが扱うのは 4.4 までです。4.5 の手順は oVirt 自身のアップグレード手順とリリースノートに基づくもので、「ガイド外」と表示されます。これは oVirt 専用です。Red Hat Virtualization には 4.5 系列がなく、oVirt の CentOS リポジトリー (centos-release-ovirt45) を RHV のマシンに追加してはいけません。",
        ));
    }
    if route.hops.len() > 1 {
        notes.push(tr(
            "The Manager moves one release line at a time; each part starts only when the \
             previous one is complete, compatibility levels included.",
            "Manager は 1 つのリリース系列ずつ進みます。各パートは、互換レベルの変更を含めて前のパートが完了してから始めます。",
        ));
    }
    let options = &request.options;
    let reinstalls_hosts = route
        .hops
        .iter()
        .any(|hop| hop.kind == HopKind::Upgrade && hop.to.line() == Level::new(4, 4));
    if options.new_manager_machine && !reinstalls_hosts {
        notes.push(tr(
            "--new-manager-machine only changes the move to 4.4, which this route does not \
             include.",
            "--new-manager-machine が影響するのは 4.4 への移行だけで、このルートには含まれません。",
        ));
    }
    if options.gluster && request.deployment == DeploymentKind::SelfHosted && reinstalls_hosts {
        notes.push(tr(
            "Hyperconverged: the gluster procedure (guide §2.1.8) redeploys the Manager VM and \
             upgrades every host, in place of §1.1.7 and §1.1.8.",
            "ハイパーコンバージド構成: Gluster の手順 (ガイド 2.1.8) が Manager 用仮想マシンの再デプロイと全ホストのアップグレードを行うため、1.1.7 と 1.1.8 の代わりになります。",
        ));
    }
    notes
}

/// The checklist for a request. Pure: the same request always gives the same plan.
pub fn plan(request: &PlanRequest) -> Result<Plan, PlanError> {
    check_options(request)?;
    let route = route::route(request.from, request.to)?;
    let reaches_43 = route
        .hops
        .iter()
        .any(|hop| hop.kind == HopKind::Upgrade && hop.to.line() == Level::new(4, 3));
    let mut parts = Vec::new();
    for (index, hop) in route.hops.iter().enumerate() {
        let chapter = Chapter::of(hop, request.deployment);
        let ctx = Ctx {
            req: request,
            hop: *hop,
            chapter,
            first: index == 0,
            last: index + 1 == route.hops.len(),
            route_reaches_43: reaches_43,
        };
        let sections = procedures::sections(&ctx)
            .map_err(|procedures::NoProcedure| PlanError::NoProcedure { hop: hop.id() })?;
        parts.push(Part {
            hop: *hop,
            chapter: chapter.map(Chapter::number),
            title: part_title(hop, chapter),
            sections,
        });
    }
    Ok(Plan {
        request: request.clone(),
        notes: notes(request, &route),
        route,
        settings: Vec::new(),
        parts,
    })
}

impl Plan {
    /// Every step in order, with its number.
    pub fn numbered(&self) -> Vec<(String, &Section, &Step)> {
        let mut out = Vec::new();
        for (p, part) in self.parts.iter().enumerate() {
            for (s, section) in part.sections.iter().enumerate() {
                for (k, step) in section.steps.iter().enumerate() {
                    out.push((step_number(p, s, k), section, step));
                }
            }
        }
        out
    }

    /// Every step in order.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.parts
            .iter()
            .flat_map(|part| &part.sections)
            .flat_map(|section| &section.steps)
    }

    /// The step with this id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps().find(|step| step.id == id)
    }

    /// A one-line description of the deployment, for headings.
    pub fn deployment_label(&self) -> Text {
        match self.request.deployment {
            DeploymentKind::SelfHosted => tr("self-hosted engine", "セルフホストエンジン"),
            DeploymentKind::Standalone => tr(
                "standalone Manager, local databases",
                "スタンドアロン Manager、ローカルデータベース",
            ),
            DeploymentKind::StandaloneRemoteDb => tr(
                "standalone Manager, remote databases",
                "スタンドアロン Manager、リモートデータベース",
            ),
        }
    }
}

/// A step's number as the checklist shows it ("2.1.3"), from zero-based positions.
pub fn step_number(part: usize, section: usize, step: usize) -> String {
    format!("{}.{}.{}", part + 1, section + 1, step + 1)
}
