//! The oVirt REST API v4 wire formats, XML and JSON, for the subset the upgrade needs —
//! and their conversion to and from [`model`] types. This is the only crate that knows
//! the API's tag names.
//!
//! # Reading and writing
//!
//! * [`from_xml`], [`list_from_xml`], [`iter_xml_list`] (streaming, for big lists) and
//!   [`parse_document`] (any root) read what an engine sends; [`to_xml`] and [`list_to_xml`]
//!   write what the engine sends; [`to_request_xml`] writes request bodies as the Python SDK
//!   does. [`from_json`], [`list_from_json`], [`to_json`] and [`list_to_json`] do the same for
//!   the engine's JSON (research §7: booleans and integers as strings, dates as epoch
//!   milliseconds, collections as `{"host": [...]}`).
//! * Wire structs ([`types`]) mirror the XML: every field optional, field names are tag names.
//!   Unknown elements are skipped, so newer engines read fine.
//! * Reading is streaming (quick-xml's pull reader, no tree): text is borrowed from the input
//!   and only known fields are allocated.
//!
//! Bad input is an error, never a panic: an empty body, an HTML page, JSON where XML was
//! asked for, malformed XML (with line and column), a `<fault>` ([`WireError::Fault`]), and
//! a wrong value, which names the object and the element:
//! `host "host2" (id 9be35c00-…): <status> has unknown value "flying" (expected one of: …)`.
//!
//! # Strict and free-text fields
//!
//! Fields the upgrade decides on are enums, and a value outside the API's set is a read
//! error (the SDK would silently read `None`, research trap §10.4, which is how a plan goes
//! wrong); read leniently ([`XmlList::next_member`]), it comes with its object as a
//! [`Member`] for the caller to leave that object out by name, and the list goes on: host `status`, `type`, `spm/status`; VM `status`, `placement_policy/affinity`;
//! data-center and storage-domain `status`; storage-domain `type`, `storage/type`,
//! `storage_format`; disk `status`, `format`, `content_type`, `storage_type`; event
//! `severity`; job and step `status`, step `type`; network `status` and `usages`; snapshot
//! `snapshot_status` and `snapshot_type`; the action's `upgrade_action`.
//!
//! Fields only shown or passed through are free text, as tolerant as the SDK: VM `origin`,
//! `type`, `os/type`, display and BIOS types, host `os/type`, `external_status`,
//! `kdump_status`, cluster switches (`fips_mode`, `firewall_type`, `bios_type`, migration
//! settings), template status, the action's `status`.
//!
//! Booleans accept exactly what the SDK accepts (`true`/`false`/`1`/`0`, any case, no
//! blanks); integers must be whole numbers in range; date-times need a zone.
//!
//! # The model boundary
//!
//! Each inventory object converts both ways: `Host::from_model(&model::Host, &ApiPath)` gives
//! the engine's full shape (with the defaults real clients dereference, research §4 and §10),
//! `Host::to_model()` gives the model object or a [`ConvertError`] naming what is missing or
//! wrong. The engine seam's values convert too: [`Event`] ⇄ `model::engine::Event`,
//! [`Action`] ⇄ `HostAction` / `VmAction` / `ClusterUpgrade`, [`Cluster::from_update`] /
//! [`Cluster::to_update`] for `ClusterUpdate`, [`DataCenter::version_update`].
//!
//! What the API does not carry cannot survive a trip through it:
//! * host: `supported_levels`, `ovn_configured`, and packages other than `vdsm` (from
//!   `<version>`) and `libvirt` (from `<libvirt_version>`); the EL release comes from
//!   `<os><version>`, or for oVirt Node from the `.elN` of its package versions;
//! * VM: `vgpu`, `host_devices` (separate sub-collections) and `snapshots` (read from
//!   `/vms/{id}/snapshots` with [`Snapshot::to_model`]); a snapshot's `cluster_level`;
//! * storage domain: `hosted_engine` is recognised by the name `hosted_storage`, the name
//!   hosted-engine deployment gives it; the status of an attached domain is only in its
//!   data center's list ([`merge_storage_domain_views`]);
//! * disk: `vm` comes from the VMs' disk attachments, older volumes of its chain from disk
//!   snapshots; both are passed to [`Disk::to_model`];
//! * cluster: only the engine's built-in scheduling policies are known to the model.
//!
//! Objects the inventory does not hold answer `false` to `kept_in_inventory()`: Glance,
//! Cinder and managed-block-storage domains, direct-LUN and Cinder disks, and the
//! "Active VM" snapshot.

#[macro_use]
mod field;

mod convert;
mod document;
mod error;
mod time;
pub mod types;
mod xml;

pub use convert::{
    built_in_scheduling_policy_id, built_in_scheduling_policy_properties,
    merge_storage_domain_views, new_host_query, scheduling_policy_from_id, ApiPath,
    RequestedPlacement, StorageDomainView, BLANK_TEMPLATE_ID, DEFAULT_MAC_POOL_ID, ENGINE_ORIGIN,
    HOSTED_ENGINE_STORAGE_DOMAIN,
};
pub use document::{
    from_json, from_xml, iter_xml_list, list_from_json, list_from_xml, list_to_json, list_to_xml,
    parse_document, to_json, to_request_xml, to_xml, Document, Entity, Member, XmlList,
};
pub use error::{ConvertError, ObjectLabel, WireError};
pub use time::{DateTime, DateTimeError};
pub use types::*;
