//! Pieces shared by several objects: references, links, versions, properties, CPU and
//! memory settings.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::error::WireError;
use crate::field::{json_attribute, FieldValue, JsonProblem, Node};
use crate::xml::{Child, XmlReader, XmlWriter};

/// A reference to another object: `<cluster href="/ovirt-engine/api/clusters/ID" id="ID"/>`.
/// Events add the object's `<name>`; action parameters may give only a name
/// (`<host><name>h</name></host>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ref {
    pub id: Option<String>,
    pub href: Option<String>,
    pub name: Option<String>,
}

impl Ref {
    /// A reference by id under the collection path `collection` (`/ovirt-engine/api/hosts`).
    pub fn to(collection: &str, id: impl Into<String>) -> Ref {
        let id = id.into();
        Ref {
            href: Some(format!("{collection}/{id}")),
            id: Some(id),
            name: None,
        }
    }

    /// A reference by id alone, as action parameters carry it: `<host id="…"/>`.
    pub fn id(id: impl Into<String>) -> Ref {
        Ref {
            id: Some(id.into()),
            ..Ref::default()
        }
    }

    /// A reference by name alone: `<host><name>h</name></host>`.
    pub fn named(name: impl Into<String>) -> Ref {
        Ref {
            name: Some(name.into()),
            ..Ref::default()
        }
    }

    pub fn with_name(mut self, name: impl Into<String>) -> Ref {
        self.name = Some(name.into());
        self
    }
}

impl Node for Ref {
    const IDENTIFIED: bool = true;

    fn set_attribute(&mut self, key: &[u8], value: Cow<'_, str>) {
        match key {
            b"id" => self.id = Some(value.into_owned()),
            b"href" => self.href = Some(value.into_owned()),
            _ => {}
        }
    }

    fn read_child<'a>(
        &mut self,
        reader: &mut XmlReader<'a>,
        child: &Child<'a>,
    ) -> Result<bool, WireError> {
        if child.name() != b"name" {
            return Ok(false);
        }
        reader.enter("name");
        self.name = String::read_xml(reader, child)?;
        reader.leave();
        Ok(true)
    }

    fn attributes(&self) -> (Option<&str>, Option<&str>) {
        (self.href.as_deref(), self.id.as_deref())
    }

    fn write_content(&self, writer: &mut XmlWriter) {
        if let Some(name) = &self.name {
            name.write_xml("name", writer);
        }
    }

    fn write_json(&self, map: &mut Map<String, Value>) {
        if let Some(href) = &self.href {
            map.insert("href".to_owned(), Value::String(href.clone()));
        }
        if let Some(id) = &self.id {
            map.insert("id".to_owned(), Value::String(id.clone()));
        }
        if let Some(name) = &self.name {
            map.insert("name".to_owned(), Value::String(name.clone()));
        }
    }

    fn read_json(&mut self, map: &Map<String, Value>) -> Result<(), JsonProblem> {
        self.id = json_attribute(map, "id")?;
        self.href = json_attribute(map, "href")?;
        if let Some(name) = map.get("name").filter(|v| !v.is_null()) {
            self.name = Some(String::from_json(name).map_err(|p| p.within("name"))?);
        }
        Ok(())
    }
}

node_field!(Ref);

/// `<link href="…" rel="…"/>`: what the API root lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Link {
    pub href: String,
    pub rel: String,
}

impl Link {
    pub fn new(href: impl Into<String>, rel: impl Into<String>) -> Link {
        Link {
            href: href.into(),
            rel: rel.into(),
        }
    }
}

impl FieldValue for Link {
    fn read_xml<'a>(
        reader: &mut XmlReader<'a>,
        child: &Child<'a>,
    ) -> Result<Option<Self>, WireError> {
        let mut link = Link::default();
        child.for_each_attribute(reader, |key, value| match key {
            b"href" => link.href = value.into_owned(),
            b"rel" => link.rel = value.into_owned(),
            _ => {}
        })?;
        reader.skip(child)?;
        Ok(Some(link))
    }

    fn write_xml(&self, _tag: &str, writer: &mut XmlWriter) {
        writer.link(&self.href, &self.rel);
    }

    fn to_json(&self) -> Value {
        serde_json::json!({ "href": self.href, "rel": self.rel })
    }

    fn from_json(value: &Value) -> Result<Self, JsonProblem> {
        let Value::Object(map) = value else {
            return Err(JsonProblem::new("should be an object".to_owned()));
        };
        Ok(Link {
            href: json_attribute(map, "href")?.unwrap_or_default(),
            rel: json_attribute(map, "rel")?.unwrap_or_default(),
        })
    }
}

wire_value! {
    /// A version: a compatibility level (`major`, `minor`) or a package (`vdsm-4.50.3.4-1.el8`,
    /// with `build`, `revision` and `full_version`).
    pub struct Version {
        build: one i32 = "build",
        full_version: one String = "full_version",
        major: one i32 = "major",
        minor: one i32 = "minor",
        revision: one i32 = "revision",
    }
}

impl Version {
    /// `<major>` and `<minor>` only, as levels are written.
    pub fn level(level: model::Level) -> Version {
        Version {
            major: Some(level.major.into()),
            minor: Some(level.minor.into()),
            ..Version::default()
        }
    }
}

wire_value! {
    /// `<property><name>HighUtilization</name><value>80</value></property>`.
    pub struct Property {
        name: one String = "name",
        value: one String = "value",
    }
}

impl Property {
    pub fn new(name: &str, value: &str) -> Property {
        Property {
            name: Some(name.to_owned()),
            value: Some(value.to_owned()),
        }
    }
}

wire_value! {
    /// A switch: `<transparent_hugepages><enabled>true</enabled></transparent_hugepages>`.
    pub struct Enabled {
        enabled: one bool = "enabled",
    }
}

impl Enabled {
    pub fn new(enabled: bool) -> Enabled {
        Enabled {
            enabled: Some(enabled),
        }
    }
}

wire_value! {
    /// `<cpu>` of a cluster, host or VM (API `Cpu`).
    pub struct Cpu {
        architecture: one String = "architecture",
        mode: one String = "mode",
        name: one String = "name",
        /// MHz, as the engine writes it (free text: some hosts report fractions).
        speed: one String = "speed",
        topology: one CpuTopology = "topology",
        type_: one String = "type",
    }
}

wire_value! {
    pub struct CpuTopology {
        cores: one i32 = "cores",
        sockets: one i32 = "sockets",
        threads: one i32 = "threads",
    }
}

wire_value! {
    /// `<memory_policy>` of a cluster (over-commit, huge pages) or a VM (guaranteed, max).
    pub struct MemoryPolicy {
        ballooning: one bool = "ballooning",
        guaranteed: one u64 = "guaranteed",
        max: one u64 = "max",
        over_commit: one MemoryOverCommit = "over_commit",
        transparent_hugepages: one Enabled = "transparent_hugepages",
    }
}

wire_value! {
    pub struct MemoryOverCommit {
        percent: one i32 = "percent",
    }
}

wire_value! {
    /// `<migration>` options of a cluster or VM.
    pub struct MigrationOptions {
        auto_converge: one String = "auto_converge",
        bandwidth: one MigrationBandwidth = "bandwidth",
        compressed: one String = "compressed",
        encrypted: one String = "encrypted",
        policy: one Ref = "policy",
    }
}

wire_value! {
    pub struct MigrationBandwidth {
        assignment_method: one String = "assignment_method",
        custom_value: one i32 = "custom_value",
    }
}

wire_value! {
    /// `<ksm>` of a cluster or host.
    pub struct Ksm {
        enabled: one bool = "enabled",
        merge_across_nodes: one bool = "merge_across_nodes",
    }
}

wire_value! {
    /// `<os>` of a host (type, kernel, version) or a VM (type, boot devices).
    pub struct OperatingSystem {
        boot: one Boot = "boot",
        custom_kernel_cmdline: one String = "custom_kernel_cmdline",
        description: one String = "description",
        reported_kernel_cmdline: one String = "reported_kernel_cmdline",
        /// Free text: `RHEL`, `oVirt Node`, `rhel_8x64`, …
        type_: one String = "type",
        version: one Version = "version",
    }
}

wire_value! {
    pub struct Boot {
        devices: list String = "devices" / "device",
    }
}
