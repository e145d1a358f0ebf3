//! Between wire structs and the model.
//!
//! `from_model` gives the object as a real engine shows it: the model's fields plus the
//! defaults that the Python SDK and ansible dereference (research §4, §10.10, §10.11).
//! `to_model` gives the model object, or a [`ConvertError`] naming the element that is
//! missing or wrong.
//!
//! What cannot survive a trip through the API is listed in the crate documentation.

mod compute;
mod engine;
mod storage;

use std::str::FromStr;

use model::{Level, SchedulingPolicy as Policy, UuidError};

use crate::error::{ConvertError, ObjectLabel};
use crate::types::{Property, Ref, Version};
use crate::Entity;

pub use compute::RequestedPlacement;
pub use engine::{new_host_query, ENGINE_ORIGIN};
pub use storage::{merge_storage_domain_views, StorageDomainView, HOSTED_ENGINE_STORAGE_DOMAIN};

/// The engine's default MAC pool (clusters and data centers link to it).
pub const DEFAULT_MAC_POOL_ID: &str = "58ca604b-017d-0374-0220-00000000014e";
/// The Blank template, which every VM without a template points at.
pub const BLANK_TEMPLATE_ID: &str = "00000000-0000-0000-0000-000000000000";
/// The engine's default migration policy ("Minimal downtime").
const DEFAULT_MIGRATION_POLICY_ID: &str = "80554327-0569-496b-bdeb-fcbbf52b827b";

/// Where the API lives; hrefs are built under it. Clients follow links only when the href
/// starts with the path they connected to (trap §10.6), so a server must build them from the
/// path it serves. Defaults to `/ovirt-engine/api`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiPath(String);

impl Default for ApiPath {
    fn default() -> Self {
        ApiPath("/ovirt-engine/api".to_owned())
    }
}

impl ApiPath {
    pub fn new(prefix: &str) -> Self {
        ApiPath(prefix.trim_end_matches('/').to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `/ovirt-engine/api/hosts`.
    pub fn collection(&self, segment: &str) -> String {
        format!("{}/{segment}", self.0)
    }

    /// `/ovirt-engine/api/hosts/{id}`.
    pub fn entity(&self, segment: &str, id: &str) -> String {
        format!("{}/{segment}/{id}", self.0)
    }

    /// `<host href="/ovirt-engine/api/hosts/{id}" id="{id}"/>`.
    pub fn reference(&self, segment: &str, id: impl ToString) -> Ref {
        Ref::to(&self.collection(segment), id.to_string())
    }
}

struct BuiltInPolicy {
    policy: Policy,
    id: &'static str,
    properties: &'static [(&'static str, &'static str)],
}

/// The engine's built-in scheduling policies (research §4.3, ENGINE
/// `InternalClusterPolicies`). Their default properties are what a cluster shows in
/// `custom_scheduling_policy_properties`; the research lists none for
/// `vm_evenly_distributed`, whose values are the engine's documented defaults.
const BUILT_IN_POLICIES: [BuiltInPolicy; 5] = [
    BuiltInPolicy {
        policy: Policy::None,
        id: "b4ed2332-a7ac-4d5f-9596-99a439cb2812",
        properties: &[
            ("CpuOverCommitDurationMinutes", "2"),
            ("HighUtilization", "80"),
        ],
    },
    BuiltInPolicy {
        policy: Policy::ClusterMaintenance,
        id: "7677771e-5eab-422e-83fa-dc04080d21b7",
        properties: &[
            ("CpuOverCommitDurationMinutes", "2"),
            ("HighUtilization", "80"),
        ],
    },
    BuiltInPolicy {
        policy: Policy::EvenlyDistributed,
        id: "20d25257-b4bd-4589-92a6-c4c5c5d3fd1a",
        properties: &[
            ("CpuOverCommitDurationMinutes", "2"),
            ("HeSparesCount", "0"),
            ("HighUtilization", "80"),
            ("VCpuToPhysicalCpuRatio", "0"),
        ],
    },
    BuiltInPolicy {
        policy: Policy::PowerSaving,
        id: "5a2b0939-7d46-4b73-a469-e9c2c7fc6a53",
        properties: &[
            ("CpuOverCommitDurationMinutes", "2"),
            ("HeSparesCount", "0"),
            ("HighUtilization", "80"),
            ("LowUtilization", "20"),
        ],
    },
    BuiltInPolicy {
        policy: Policy::VmEvenlyDistributed,
        id: "8d5d7bec-68de-4a67-b53e-0ac54686d579",
        properties: &[
            ("HeSparesCount", "0"),
            ("HighVmCount", "10"),
            ("MigrationThreshold", "5"),
            ("SpmVmGrace", "5"),
        ],
    },
];

fn built_in(policy: Policy) -> &'static BuiltInPolicy {
    BUILT_IN_POLICIES
        .iter()
        .find(|p| p.policy == policy)
        .unwrap_or(&BUILT_IN_POLICIES[0])
}

/// The id the engine gives a built-in scheduling policy.
pub fn built_in_scheduling_policy_id(policy: Policy) -> &'static str {
    built_in(policy).id
}

/// The built-in policy with this id, if it is one.
pub fn scheduling_policy_from_id(id: &str) -> Option<Policy> {
    BUILT_IN_POLICIES
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(id))
        .map(|p| p.policy)
}

/// A built-in policy's default properties.
pub fn built_in_scheduling_policy_properties(policy: Policy) -> Vec<Property> {
    built_in(policy)
        .properties
        .iter()
        .map(|(name, value)| Property::new(name, value))
        .collect()
}

/// Builds conversion errors about one object.
struct Converting {
    object: ObjectLabel,
}

impl Converting {
    fn of<T: Entity>(entity: &T) -> Self {
        Converting {
            object: entity.label(),
        }
    }

    fn labelled(object: ObjectLabel) -> Self {
        Converting { object }
    }

    fn error(&self, element: &str, problem: impl Into<String>) -> ConvertError {
        ConvertError {
            object: Box::new(self.object.clone()),
            element: element.to_owned(),
            problem: problem.into(),
        }
    }

    fn required<T: Clone>(&self, value: &Option<T>, element: &str) -> Result<T, ConvertError> {
        value
            .clone()
            .ok_or_else(|| self.error(element, "is missing"))
    }

    /// The object's own id, a UUID.
    fn own_id<I: FromStr<Err = UuidError>>(&self, id: &Option<String>) -> Result<I, ConvertError> {
        let id = id
            .as_deref()
            .ok_or_else(|| self.error("id", "is missing"))?;
        id.parse()
            .map_err(|_| self.error("id", format!("{id:?} is not a UUID")))
    }

    fn name(&self, name: &Option<String>) -> Result<String, ConvertError> {
        self.required(name, "<name>")
    }

    /// The id of a required reference such as `<cluster id="…"/>`.
    fn reference<I: FromStr<Err = UuidError>>(
        &self,
        reference: &Option<Ref>,
        element: &str,
    ) -> Result<I, ConvertError> {
        self.optional_reference(reference, element)?
            .ok_or_else(|| self.error(element, "is missing"))
    }

    fn optional_reference<I: FromStr<Err = UuidError>>(
        &self,
        reference: &Option<Ref>,
        element: &str,
    ) -> Result<Option<I>, ConvertError> {
        match reference {
            None => Ok(None),
            Some(reference) => self.reference_id(reference, element).map(Some),
        }
    }

    fn reference_id<I: FromStr<Err = UuidError>>(
        &self,
        reference: &Ref,
        element: &str,
    ) -> Result<I, ConvertError> {
        let id = reference
            .id
            .as_deref()
            .ok_or_else(|| self.error(element, "has no id"))?;
        id.parse()
            .map_err(|_| self.error(element, format!("has id {id:?}, which is not a UUID")))
    }

    fn level(&self, version: &Option<Version>, element: &str) -> Result<Level, ConvertError> {
        self.optional_level(version, element)?
            .ok_or_else(|| self.error(element, "is missing"))
    }

    fn optional_level(
        &self,
        version: &Option<Version>,
        element: &str,
    ) -> Result<Option<Level>, ConvertError> {
        let Some(version) = version else {
            return Ok(None);
        };
        let part = |value: Option<i32>, part: &str| {
            let value = value.ok_or_else(|| self.error(element, format!("has no <{part}>")))?;
            u16::try_from(value).map_err(|_| {
                self.error(
                    element,
                    format!("has <{part}>{value}</{part}>, not a level number"),
                )
            })
        };
        Ok(Some(Level::new(
            part(version.major, "major")?,
            part(version.minor, "minor")?,
        )))
    }

    fn unsigned(&self, value: Option<i32>, element: &str) -> Result<Option<u32>, ConvertError> {
        value
            .map(|v| u32::try_from(v).map_err(|_| self.error(element, format!("is negative: {v}"))))
            .transpose()
    }
}

fn empty() -> Option<String> {
    Some(String::new())
}
