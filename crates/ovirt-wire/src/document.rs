//! Whole documents: one object or a list, in XML or JSON, in and out.

use std::marker::PhantomData;

use serde_json::Value;

use crate::error::{ConvertError, ObjectLabel, WireError};
use crate::field::{node_from_json, node_to_json, read_node, write_node, FieldValue, Node};
use crate::types::*;
use crate::xml::{html_error, sniff, Child, Expected, XmlReader, XmlStyle, XmlWriter};

/// An object of the API that can be a document of its own: `<host>` alone, or the members
/// of `<hosts>`.
pub trait Entity: Node + FieldValue {
    /// Its tag (`host`); also its key in a JSON collection (`{"host": [...]}`).
    const TAG: &'static str;
    /// The tag of its collection (`hosts`).
    const LIST_TAG: &'static str;
    /// What it is called in messages (`host`, `storage domain`).
    const KIND: &'static str;

    fn id(&self) -> Option<&str>;

    fn name(&self) -> Option<&str>;

    /// How errors name it: `host "host2" (id 9be35c00-…)`.
    fn label(&self) -> ObjectLabel {
        ObjectLabel::new(Self::KIND, self.name(), self.id())
    }
}

fn expected_single<T: Entity>() -> String {
    format!("a <{}> document", T::TAG)
}

fn expected_list<T: Entity>() -> String {
    format!("a <{}> document", T::LIST_TAG)
}

fn root_name(root: &Child<'_>) -> String {
    format!("<{}>", root.name_str())
}

/// Reads one top-level object, and the first value in it that did not fit its element (left
/// unset in the object), naming the object.
fn read_member<'a, T: Entity>(
    reader: &mut XmlReader<'a>,
    child: &Child<'a>,
    position: Option<usize>,
) -> Result<Member<T>, WireError> {
    let saved = reader.begin_object();
    let value: T = read_node(reader, child)?;
    let unreadable = reader.end_object(saved).map(|(element, problem)| {
        let mut object = value.label();
        if object.name.is_none() && object.id.is_none() {
            object.position = position;
        }
        ConvertError {
            object: Box::new(object),
            element,
            problem,
        }
    });
    Ok(Member { value, unreadable })
}

/// Reads one top-level object; a deferred value error becomes an error naming it.
fn read_entity<'a, T: Entity>(
    reader: &mut XmlReader<'a>,
    child: &Child<'a>,
    position: Option<usize>,
) -> Result<T, WireError> {
    read_member(reader, child, position)?.into_result()
}

/// A member of a collection as a lenient reader gives it: the object, and the first value
/// in it that did not fit its element, such as a status a later engine added. That value is
/// left unset; the rest of the object is read.
#[derive(Debug, Clone, PartialEq)]
pub struct Member<T> {
    pub value: T,
    pub unreadable: Option<ConvertError>,
}

impl<T> Member<T> {
    /// The object, or the error naming its unreadable value.
    pub fn into_result(self) -> Result<T, WireError> {
        match self.unreadable {
            None => Ok(self.value),
            Some(error) => Err(WireError::InvalidValue {
                object: error.object,
                element: error.element,
                problem: error.problem,
            }),
        }
    }
}

/// Refuses a root that is not the one wanted: a fault becomes [`WireError::Fault`], a web
/// page [`WireError::Html`], anything else [`WireError::UnexpectedRoot`].
fn wrong_root<'a>(
    reader: &mut XmlReader<'a>,
    root: &Child<'a>,
    text: &str,
    expected: String,
) -> WireError {
    match root.name() {
        b"fault" => match read_entity::<Fault>(reader, root, None) {
            Ok(fault) => WireError::Fault(Box::new(fault)),
            Err(error) => error,
        },
        name if name.eq_ignore_ascii_case(b"html") => html_error(text, &expected),
        _ => WireError::UnexpectedRoot {
            expected,
            found: root_name(root),
        },
    }
}

/// Reads a document holding one `T`, such as the answer to `GET /hosts/{id}`.
/// A `<fault>` document is returned as [`WireError::Fault`].
pub fn from_xml<T: Entity>(body: &[u8]) -> Result<T, WireError> {
    let expected = expected_single::<T>();
    let text = sniff(body, Expected::Xml, &expected)?;
    let mut reader = XmlReader::new(text);
    let root = reader.root()?;
    if root.name() != T::TAG.as_bytes() {
        return Err(wrong_root(&mut reader, &root, text, expected));
    }
    let value = read_entity(&mut reader, &root, None)?;
    reader.finish()?;
    Ok(value)
}

/// Reads a collection document, such as the answer to `GET /hosts`, all or nothing.
pub fn list_from_xml<T: Entity>(body: &[u8]) -> Result<Vec<T>, WireError> {
    iter_xml_list(body)?.collect()
}

/// Reads a collection document one member at a time, without holding them all: memory
/// stays at the document plus one member.
pub fn iter_xml_list<T: Entity>(body: &[u8]) -> Result<XmlList<'_, T>, WireError> {
    let expected = expected_list::<T>();
    let text = sniff(body, Expected::Xml, &expected)?;
    let mut reader = XmlReader::new(text);
    let root = reader.root()?;
    if root.name() != T::LIST_TAG.as_bytes() {
        return Err(wrong_root(&mut reader, &root, text, expected));
    }
    XmlList::open(reader, &root)
}

/// The members of a collection document, read as they are asked for.
pub struct XmlList<'a, T> {
    reader: XmlReader<'a>,
    position: usize,
    done: bool,
    member: PhantomData<T>,
}

impl<'a, T: Entity> XmlList<'a, T> {
    fn open(mut reader: XmlReader<'a>, root: &Child<'a>) -> Result<Self, WireError> {
        let done = root.is_empty();
        if done {
            reader.finish()?;
        }
        Ok(XmlList {
            reader,
            position: 0,
            done,
            member: PhantomData,
        })
    }

    /// Members other than `T`'s tag are skipped.
    fn advance(&mut self) -> Result<Option<Member<T>>, WireError> {
        while let Some(child) = self.reader.next_child()? {
            if child.name() == T::TAG.as_bytes() {
                self.position += 1;
                return read_member(&mut self.reader, &child, Some(self.position)).map(Some);
            }
            self.reader.skip(&child)?;
        }
        self.reader.finish()?;
        Ok(None)
    }

    /// The next member, leniently: a value that does not fit its element comes with the
    /// member instead of ending the list. Only a broken document ends it early.
    pub fn next_member(&mut self) -> Option<Result<Member<T>, WireError>> {
        if self.done {
            return None;
        }
        match self.advance() {
            Ok(Some(member)) => Some(Ok(member)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }
}

/// Strictly: a member with a value that does not fit is an error, and ends the list.
impl<T: Entity> Iterator for XmlList<'_, T> {
    type Item = Result<T, WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        let member = self.next_member()?.and_then(Member::into_result);
        if member.is_err() {
            self.done = true;
        }
        Some(member)
    }
}

/// Writes one object as the engine answers: declaration, 4-space indentation.
pub fn to_xml<T: Entity>(value: &T) -> String {
    let mut writer = XmlWriter::new(XmlStyle::Engine);
    write_node(value, T::TAG, &mut writer);
    writer.finish()
}

/// Writes one object as the Python SDK sends request bodies: no declaration, 2-space
/// indentation. Use it for actions and updates sent to an engine.
pub fn to_request_xml<T: Entity>(value: &T) -> String {
    let mut writer = XmlWriter::new(XmlStyle::Request);
    write_node(value, T::TAG, &mut writer);
    writer.finish()
}

/// Writes a collection document as the engine answers; an empty one is `<hosts/>`.
pub fn list_to_xml<'i, T: Entity + 'i>(items: impl IntoIterator<Item = &'i T>) -> String {
    let items = items.into_iter();
    let mut writer = XmlWriter::with_capacity(XmlStyle::Engine, 256 + items.size_hint().0 * 2048);
    let mark = writer.open(T::LIST_TAG, None, None);
    for item in items {
        write_node(item, T::TAG, &mut writer);
    }
    writer.close(T::LIST_TAG, mark);
    writer.finish()
}

/// Writes one object in the engine's JSON: unwrapped, booleans and integers as strings,
/// dates as epoch milliseconds (research §7).
pub fn to_json<T: Entity>(value: &T) -> String {
    json_text(&node_to_json(value))
}

/// `serde_json::to_string` writes straight into a buffer (`Value`'s `Display` goes through
/// the formatter and is several times slower); a `Value` always serialises.
fn json_text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Writes a collection in the engine's JSON: `{"host": [...]}`, and `{}` when empty.
pub fn list_to_json<'i, T: Entity + 'i>(items: impl IntoIterator<Item = &'i T>) -> String {
    // Member by member: building one tree of every member first is several times slower.
    let mut out = format!("{{{}:[", json_text(&Value::String(T::TAG.to_owned())));
    let mut empty = true;
    for item in items {
        if !empty {
            out.push(',');
        }
        empty = false;
        out.push_str(&json_text(&node_to_json(item)));
    }
    if empty {
        return "{}".to_owned();
    }
    out.push_str("]}");
    out
}

fn parse_json(body: &[u8], expected: &str) -> Result<Value, WireError> {
    let text = sniff(body, Expected::Json, expected)?;
    serde_json::from_str(text).map_err(|error| WireError::MalformedJson {
        line: error.line(),
        column: error.column(),
        message: error.to_string(),
    })
}

/// Reads one JSON object as a `T`; errors name the object from its own `name` and `id`.
fn entity_from_json<T: Entity>(value: &Value, position: Option<usize>) -> Result<T, WireError> {
    node_from_json(value).map_err(|problem| {
        let text = |key: &str| match value.get(key) {
            Some(Value::String(text)) => Some(text.clone()),
            Some(Value::Number(number)) => Some(number.to_string()),
            _ => None,
        };
        let (name, id) = (text("name"), text("id"));
        let position = if name.is_none() && id.is_none() {
            position
        } else {
            None
        };
        WireError::InvalidValue {
            object: Box::new(ObjectLabel {
                kind: T::KIND,
                name,
                id,
                position,
            }),
            element: problem.element(),
            problem: problem.problem,
        }
    })
}

/// Reads one object from the engine's JSON (or the JSON a client such as ansible's `uri`
/// module sends: numbers and booleans may be bare or strings).
pub fn from_json<T: Entity>(body: &[u8]) -> Result<T, WireError> {
    let expected = format!("a JSON {}", T::KIND);
    let value = parse_json(body, &expected)?;
    if !value.is_object() {
        return Err(WireError::UnexpectedRoot {
            expected,
            found: crate::field::json_kind(&value).to_owned(),
        });
    }
    entity_from_json(&value, None)
}

/// Reads a JSON collection: `{"host": [...]}`, `{}` for none.
pub fn list_from_json<T: Entity>(body: &[u8]) -> Result<Vec<T>, WireError> {
    let expected = format!("a JSON {} list", T::KIND);
    let value = parse_json(body, &expected)?;
    let Value::Object(map) = &value else {
        return Err(WireError::UnexpectedRoot {
            expected,
            found: crate::field::json_kind(&value).to_owned(),
        });
    };
    match map.get(T::TAG) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(members)) => members
            .iter()
            .enumerate()
            .map(|(index, member)| entity_from_json(member, Some(index + 1)))
            .collect(),
        Some(single @ Value::Object(_)) => Ok(vec![entity_from_json(single, Some(1))?]),
        Some(other) => Err(WireError::UnexpectedRoot {
            expected,
            found: format!("\"{}\" holding {}", T::TAG, crate::field::json_kind(other)),
        }),
    }
}

macro_rules! documents {
    ($($single:ident, $plural:ident: $ty:ty;)*) => {
        /// Any document of the subset, as its root tag says.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Document {
            $($single(Box<$ty>), $plural(Vec<$ty>),)*
            /// A well-formed document whose root is outside the subset (`<nics>`,
            /// `<permissions>`, …); only its well-formedness was checked.
            Other { tag: String },
        }

        impl Document {
            /// The root tag it was read from.
            pub fn tag(&self) -> &str {
                match self {
                    $(Document::$single(_) => <$ty as Entity>::TAG,
                      Document::$plural(_) => <$ty as Entity>::LIST_TAG,)*
                    Document::Other { tag } => tag,
                }
            }
        }

        /// Reads any document, choosing the reader by the root tag as the SDK does. A
        /// `<fault>` is returned as [`Document::Fault`], not as an error; a root outside the
        /// subset as [`Document::Other`] once the document proved well-formed.
        pub fn parse_document(body: &[u8]) -> Result<Document, WireError> {
            let expected = "an oVirt API document";
            let text = sniff(body, Expected::Xml, expected)?;
            let mut reader = XmlReader::new(text);
            let root = reader.root()?;
            let document = match root.name() {
                $(
                    tag if tag == <$ty as Entity>::TAG.as_bytes() => {
                        Document::$single(Box::new(read_entity(&mut reader, &root, None)?))
                    }
                    tag if tag == <$ty as Entity>::LIST_TAG.as_bytes() => {
                        return XmlList::<$ty>::open(reader, &root)?
                            .collect::<Result<Vec<_>, _>>()
                            .map(Document::$plural);
                    }
                )*
                tag if tag.eq_ignore_ascii_case(b"html") => return Err(html_error(text, expected)),
                _ => {
                    reader.skip(&root)?;
                    Document::Other { tag: root.name_str().to_owned() }
                }
            };
            reader.finish()?;
            Ok(document)
        }
    };
}

documents! {
    Api, Apis: Api;
    Action, Actions: Action;
    Fault, Faults: Fault;
    DataCenter, DataCenters: DataCenter;
    Cluster, Clusters: Cluster;
    Host, Hosts: Host;
    Vm, Vms: Vm;
    StorageDomain, StorageDomains: StorageDomain;
    Disk, Disks: Disk;
    DiskSnapshot, DiskSnapshots: DiskSnapshot;
    DiskAttachment, DiskAttachments: DiskAttachment;
    Snapshot, Snapshots: Snapshot;
    Event, Events: Event;
    Job, Jobs: Job;
    Step, Steps: Step;
    SchedulingPolicy, SchedulingPolicies: SchedulingPolicy;
    Network, Networks: Network;
    ClusterLevel, ClusterLevels: ClusterLevel;
    MacPool, MacPools: MacPool;
    User, Users: User;
    VmNumaNode, VmNumaNodes: VmNumaNode;
    Template, Templates: Template;
    Statistic, Statistics: Statistic;
}
