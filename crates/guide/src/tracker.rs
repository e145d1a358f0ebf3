//! A tracker for long change windows: the request a plan was made from, its step ids, and the
//! steps marked done. The plan itself is rebuilt from the request, so the file stays small and
//! a tracker edited into nonsense is caught on load. This module turns trackers into bytes and
//! back; [`crate::file`] writes them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::plan::{self, Plan};
use crate::render::Done;
use crate::request::PlanRequest;
use crate::resolve::Setting;

/// The tracker format this build reads and writes.
pub const TRACKER_FORMAT: u32 = 1;

/// What a tracker file says it is.
pub const TRACKER_KIND: &str = "ovirt-upgrade plan tracker";

/// When a step was marked done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneMark {
    /// RFC 3339 time the caller supplied, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// The file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tracker {
    pub format: u32,
    pub kind: String,
    pub request: PlanRequest,
    #[serde(default)]
    pub settings: Vec<Setting>,
    /// Every step id of the plan, in order: checked against the rebuilt plan on load.
    pub steps: Vec<String>,
    #[serde(default)]
    pub done: BTreeMap<String, DoneMark>,
}

/// Why a tracker cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrackerError {
    #[error("{file}: {message} ({hint})")]
    Invalid {
        file: String,
        message: String,
        hint: String,
    },
    #[error("there is no step `{given}` in this plan ({hint})")]
    UnknownStep { given: String, hint: String },
}

const SAVE_AGAIN: &str =
    "write a fresh tracker with `ovirt-upgrade plan ... --save FILE` and mark the finished steps \
     again with `ovirt-upgrade plan done`";

/// Whether marking changed anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marked {
    Changed,
    AlreadyThat,
}

impl Tracker {
    /// A tracker for a fresh plan, nothing done.
    pub fn new(plan: &Plan) -> Tracker {
        Tracker {
            format: TRACKER_FORMAT,
            kind: TRACKER_KIND.to_owned(),
            request: plan.request.clone(),
            settings: plan.settings.clone(),
            steps: plan.steps().map(|s| s.id.clone()).collect(),
            done: BTreeMap::new(),
        }
    }

    /// The file's bytes: pretty JSON with a final newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a tracker always serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Reads a tracker and rebuilds its plan, refusing anything inconsistent; `file` names it
    /// in errors.
    pub fn from_json(bytes: &[u8], file: &str) -> Result<(Tracker, Plan), TrackerError> {
        let invalid = |message: String, hint: &str| TrackerError::Invalid {
            file: file.to_owned(),
            message,
            hint: hint.to_owned(),
        };
        let tracker: Tracker = serde_json::from_slice(bytes).map_err(|error| {
            let hint = if error.is_syntax() || error.is_eof() {
                "the file is not valid JSON there; was it cut short or edited by hand? If it \
                 cannot be repaired, "
                    .to_owned()
                    + SAVE_AGAIN
            } else {
                "a field is missing, misspelt or of the wrong kind; ".to_owned() + SAVE_AGAIN
            };
            invalid(format!("not a readable plan tracker: {error}"), &hint)
        })?;
        if tracker.kind != TRACKER_KIND {
            return Err(invalid(
                format!("\"kind\" is \"{}\", not \"{TRACKER_KIND}\"", tracker.kind),
                "this is not a file written by `ovirt-upgrade plan --save`",
            ));
        }
        if tracker.format != TRACKER_FORMAT {
            return Err(invalid(
                format!(
                    "tracker format {} is not one this version reads (it reads format \
                     {TRACKER_FORMAT})",
                    tracker.format
                ),
                SAVE_AGAIN,
            ));
        }
        let mut plan = plan::plan(&tracker.request).map_err(|error| {
            invalid(
                format!("the saved request cannot be planned: {error}"),
                SAVE_AGAIN,
            )
        })?;
        plan.settings = tracker.settings.clone();
        let expected: Vec<&str> = plan.steps().map(|s| s.id.as_str()).collect();
        if tracker
            .steps
            .iter()
            .map(String::as_str)
            .ne(expected.iter().copied())
        {
            let first_difference = tracker
                .steps
                .iter()
                .map(String::as_str)
                .zip(expected.iter().copied())
                .position(|(saved, planned)| saved != planned)
                .unwrap_or_else(|| tracker.steps.len().min(expected.len()));
            return Err(invalid(
                format!(
                    "its step list differs from the plan its request gives, from step {} on \
                     ({} saved, {} planned): it was edited by hand or saved by another version \
                     of ovirt-upgrade",
                    first_difference + 1,
                    tracker.steps.len(),
                    expected.len()
                ),
                SAVE_AGAIN,
            ));
        }
        if let Some(stray) = tracker.done.keys().find(|id| plan.step(id).is_none()) {
            return Err(invalid(
                format!("step `{stray}` is marked done but is not part of the plan"),
                "remove it from \"done\", or mark the right step with `ovirt-upgrade plan done`",
            ));
        }
        Ok((tracker, plan))
    }

    /// The ids of the steps done.
    pub fn done_ids(&self) -> Done {
        self.done.keys().cloned().collect()
    }

    /// Marks a step done, by id or by its number in the checklist (`1.4.2`); `at` is the time
    /// to record. Returns the step's id.
    pub fn mark_done(
        &mut self,
        plan: &Plan,
        step: &str,
        at: Option<String>,
    ) -> Result<(String, Marked), TrackerError> {
        let id = resolve_step(plan, step)?;
        if self.done.contains_key(&id) {
            return Ok((id, Marked::AlreadyThat));
        }
        self.done.insert(id.clone(), DoneMark { at });
        Ok((id, Marked::Changed))
    }

    /// Takes a done mark back.
    pub fn mark_undone(
        &mut self,
        plan: &Plan,
        step: &str,
    ) -> Result<(String, Marked), TrackerError> {
        let id = resolve_step(plan, step)?;
        let marked = if self.done.remove(&id).is_some() {
            Marked::Changed
        } else {
            Marked::AlreadyThat
        };
        Ok((id, marked))
    }
}

/// A step id, or a checklist number, to the step's id.
fn resolve_step(plan: &Plan, given: &str) -> Result<String, TrackerError> {
    if let Some(step) = plan.step(given) {
        return Ok(step.id.clone());
    }
    if let Some((_, _, step)) = plan
        .numbered()
        .into_iter()
        .find(|(number, _, _)| number == given)
    {
        return Ok(step.id.clone());
    }
    let similar: Vec<&str> = plan
        .steps()
        .map(|s| s.id.as_str())
        .filter(|id| {
            let key = id.rsplit('/').next().unwrap_or(id);
            id.contains(given) || given.contains(key)
        })
        .take(5)
        .collect();
    let hint = if similar.is_empty() {
        "give a step id or number as `ovirt-upgrade plan status` lists them".to_owned()
    } else {
        format!("did you mean {}?", similar.join(", "))
    };
    Err(TrackerError::UnknownStep {
        given: given.to_owned(),
        hint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{DeploymentKind, Options};
    use model::Version;

    fn sample() -> Plan {
        plan::plan(&PlanRequest {
            from: Version::new(4, 4, 3),
            to: Version::new(4, 4, 10),
            deployment: DeploymentKind::Standalone,
            options: Options::default(),
            environment: None,
        })
        .unwrap()
    }

    #[test]
    fn marks_round_trip_through_the_file() {
        let plan = sample();
        let mut tracker = Tracker::new(&plan);
        let (id, marked) = tracker
            .mark_done(&plan, "1.1.1", Some("2026-11-28T01:02:03Z".into()))
            .unwrap();
        assert_eq!(marked, Marked::Changed);
        assert_eq!(id, plan.steps().next().unwrap().id);
        assert_eq!(
            tracker.mark_done(&plan, &id, None).unwrap().1,
            Marked::AlreadyThat
        );
        let (loaded, rebuilt) = Tracker::from_json(&tracker.to_json(), "t.json").unwrap();
        assert_eq!(loaded, tracker);
        assert_eq!(rebuilt.parts, plan.parts);
        assert_eq!(tracker.mark_undone(&plan, &id).unwrap().1, Marked::Changed);
    }

    #[test]
    fn unknown_steps_get_suggestions() {
        let plan = sample();
        let mut tracker = Tracker::new(&plan);
        let err = tracker
            .mark_done(&plan, "engine-setup", None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("4.4.z/update-engine-setup"), "{err}");
        let err = tracker
            .mark_done(&plan, "9.9.9", None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("plan status"), "{err}");
    }
}
