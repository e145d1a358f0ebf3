//! What happens: events, jobs and steps, actions and faults.

use std::fmt;

use super::{ClusterUpgradeAction, JobStatus, LogSeverity, Ref, StepStatus, StepType};
use crate::error::WireError;
use crate::time::DateTime;

wire_entity! {
    /// `<event>` (`GET /events`, research §4.9). Its id and `index` are the audit-log number;
    /// linked objects carry their `<name>`. The text is in `description`.
    pub struct Event("event", "events", "event") {
        code: one i32 = "code",
        correlation_id: one String = "correlation_id",
        custom_id: one i32 = "custom_id",
        flood_rate: one i32 = "flood_rate",
        index: one i64 = "index",
        origin: one String = "origin",
        severity: one LogSeverity = "severity",
        time: one DateTime = "time",
        cluster: one Ref = "cluster",
        data_center: one Ref = "data_center",
        host: one Ref = "host",
        storage_domain: one Ref = "storage_domain",
        template: one Ref = "template",
        user: one Ref = "user",
        vm: one Ref = "vm",
    }
}

wire_entity! {
    /// `<job>` (`GET /jobs`, research §4.10).
    pub struct Job("job", "jobs", "job") {
        auto_cleared: one bool = "auto_cleared",
        end_time: one DateTime = "end_time",
        external: one bool = "external",
        last_updated: one DateTime = "last_updated",
        start_time: one DateTime = "start_time",
        status: one JobStatus = "status",
        owner: one Ref = "owner",
    }
}

impl Job {
    pub const ACTIONS: &'static [&'static str] = &["clear", "end"];
    pub const LINKS: &'static [&'static str] = &["steps"];
}

wire_entity! {
    /// `<step>` of a job (`GET /jobs/{id}/steps`).
    pub struct Step("step", "steps", "step") {
        end_time: one DateTime = "end_time",
        external: one bool = "external",
        number: one i32 = "number",
        progress: one i32 = "progress",
        start_time: one DateTime = "start_time",
        status: one StepStatus = "status",
        type_: one StepType = "type",
        execution_host: one Ref = "execution_host",
        job: one Ref = "job",
        parent_step: one Ref = "parent_step",
    }
}

impl Step {
    pub const ACTIONS: &'static [&'static str] = &["end"];
}

wire_entity! {
    /// `<action>`: the parameters of an action request, and the engine's answer (the request
    /// echoed with `<status>`, a `<job>` link, or a `<fault>`). Parameters are written in
    /// alphabetical order, as the SDK sends them.
    pub struct Action("action", "actions", "action") {
        async_: one bool = "async",
        cluster: one Ref = "cluster",
        correlation_id: one String = "correlation_id",
        fault: one Fault = "fault",
        force: one bool = "force",
        /// `migrate`: the destination, by id or by name.
        host: one Ref = "host",
        image: one String = "image",
        /// `maintenance` of the hosted-engine VM: global HA maintenance on or off.
        maintenance_enabled: one bool = "maintenance_enabled",
        reason: one String = "reason",
        reboot: one bool = "reboot",
        /// `pending`, `in_progress`, `complete` or `failed` (free text in the API).
        status: one String = "status",
        stop_gluster_service: one bool = "stop_gluster_service",
        succeeded: one bool = "succeeded",
        /// Minutes (host `upgrade`).
        timeout: one i32 = "timeout",
        upgrade_action: one ClusterUpgradeAction = "upgrade_action",
        /// The role sends it as a string or a number in JSON; both read.
        upgrade_percent_complete: one i32 = "upgrade_percent_complete",
        job: one Ref = "job",
    }
}

impl Action {
    /// The engine's answer as a result: [`WireError::Fault`] when it carries a fault.
    pub fn into_result(self) -> Result<Action, WireError> {
        match self.fault {
            Some(fault) => Err(WireError::Fault(Box::new(fault))),
            None => Ok(self),
        }
    }
}

wire_entity! {
    /// `<fault>`: why the engine refused (`reason` "Operation Failed", `detail` the
    /// engine's messages in brackets).
    pub struct Fault("fault", "faults", "fault") {
        detail: one String = "detail",
        reason: one String = "reason",
    }
}

impl Fault {
    pub fn new(reason: &str, detail: &str) -> Fault {
        Fault {
            reason: Some(reason.to_owned()),
            detail: Some(detail.to_owned()),
            ..Fault::default()
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.reason.as_deref(), self.detail.as_deref()) {
            (Some(reason), Some(detail)) => write!(f, "{reason}: {detail}"),
            (Some(text), None) | (None, Some(text)) => f.write_str(text),
            (None, None) => f.write_str("no reason given"),
        }
    }
}
