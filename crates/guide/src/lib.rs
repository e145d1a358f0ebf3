//! The oVirt / RHV Upgrade Guide as data, and the checklist planner.
//!
//! The guide (`shared/guide/`, Japanese) has one chapter per route and deployment, and each
//! chapter strings together the same few procedures with small differences. Here every
//! procedure is a function that returns its steps for one hop of a route ([`procedures`]), and
//! [`plan()`] assembles them for a [`PlanRequest`]: the route from one Manager version to
//! another (multi-hop, 4.2 to 4.5), the deployment, and one option per conditional part of the
//! guide. [`resolve()`] builds the request from command-line choices and what [`detect()`]
//! reads from an inventory, recording where every setting came from.
//!
//! Everything here is pure: values in, values out. Renderers return strings; the binary
//! prints them. The one exception is [`file`], which writes a tracker or a checklist document
//! whole or not at all, for the binary and the web page alike.

mod procedures;

pub mod detect;
pub mod file;
pub mod plan;
pub mod render;
pub mod request;
pub mod resolve;
pub mod route;
pub mod step;
pub mod text;
pub mod tracker;

pub use detect::{detect, Detection, Finding};
pub use plan::{plan, Part, Plan, PlanError};
pub use request::{
    DeploymentKind, Environment, HostTypes, HostUpdate, NamedLevel, Options, PlanRequest,
    Sha1Scope, UnknownWord, VersionSpec,
};
pub use resolve::{resolve, Choices, Origin, Resolved, Setting};
pub use route::{route, Hop, HopKind, Route, RouteError};
pub use step::{Automation, Command, CommandKind, RunsOn, Section, Source, Step, Tool, Verify};
pub use tracker::{DoneMark, Marked, Tracker, TrackerError};
