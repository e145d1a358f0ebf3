//! How one field is read and written, in XML and in the engine's JSON.
//!
//! A wire struct is declared once with [`wire_value!`] or [`wire_entity!`]; each field says
//! its element tag and its shape:
//!
//! * `one T = "tag"` — an optional single element (`Option<T>`);
//! * `list T = "wrapper" / "item"` — a wrapped list, `<usages><usage>vm</usage></usages>`
//!   (`Option<Vec<T>>`, so that "absent" and "empty" stay apart);
//! * `each T = "tag"` — repeated unwrapped elements, like the API root's `<link>`s (`Vec<T>`).
//!
//! The macros generate the streaming XML reader, the writer and both JSON directions, so
//! the four can never disagree about a tag.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::error::WireError;
use crate::xml::{Child, XmlReader, XmlWriter};

/// A value that is text in XML: strings, booleans, numbers, enums, date-times.
pub trait Scalar: Sized {
    /// Reads the text. The error is the problem, phrased to follow the element's name:
    /// `is not a whole number: "x"`.
    fn parse(text: &str) -> Result<Self, String>;

    /// Like [`Scalar::parse`], for text that may already be owned.
    fn parse_cow(text: Cow<'_, str>) -> Result<Self, String> {
        Self::parse(&text)
    }

    fn render(&self) -> Cow<'_, str>;

    /// The engine's JSON renders booleans and integers as strings (research §7).
    fn to_json(&self) -> Value {
        Value::String(self.render().into_owned())
    }

    /// JSON input may carry strings, numbers or booleans for any scalar.
    fn from_json(value: &Value) -> Result<Self, String> {
        match value {
            Value::String(text) => Self::parse(text),
            Value::Number(number) => Self::parse(&number.to_string()),
            Value::Bool(flag) => Self::parse(if *flag { "true" } else { "false" }),
            other => Err(format!("should be a value but is {}", json_kind(other))),
        }
    }
}

pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A problem found reading JSON, with the keys leading to it (innermost first).
#[derive(Debug)]
pub struct JsonProblem {
    path: Vec<String>,
    pub problem: String,
}

impl JsonProblem {
    pub fn new(problem: String) -> Self {
        JsonProblem {
            path: Vec::new(),
            problem,
        }
    }

    pub fn within(mut self, key: &str) -> Self {
        self.path.push(key.to_owned());
        self
    }

    /// The keys from the object down to the value: `spm.status`.
    pub fn element(&self) -> String {
        self.path
            .iter()
            .rev()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// Anything that can be the value of a field.
pub trait FieldValue: Sized {
    /// Reads the element just opened. `None` when it holds nothing (`<x/>` for a scalar) or
    /// when its value was wrong; the reader then holds a deferred error.
    fn read_xml<'a>(
        reader: &mut XmlReader<'a>,
        child: &Child<'a>,
    ) -> Result<Option<Self>, WireError>;

    fn write_xml(&self, tag: &str, writer: &mut XmlWriter);

    fn to_json(&self) -> Value;

    fn from_json(value: &Value) -> Result<Self, JsonProblem>;
}

impl<T: Scalar> FieldValue for T {
    fn read_xml<'a>(
        reader: &mut XmlReader<'a>,
        child: &Child<'a>,
    ) -> Result<Option<Self>, WireError> {
        let Some(text) = reader.text(child)? else {
            return Ok(None);
        };
        match T::parse_cow(text) {
            Ok(value) => Ok(Some(value)),
            Err(problem) => {
                reader.defer(problem);
                Ok(None)
            }
        }
    }

    fn write_xml(&self, tag: &str, writer: &mut XmlWriter) {
        writer.leaf(tag, &self.render());
    }

    fn to_json(&self) -> Value {
        Scalar::to_json(self)
    }

    fn from_json(value: &Value) -> Result<Self, JsonProblem> {
        Scalar::from_json(value).map_err(JsonProblem::new)
    }
}

impl Scalar for String {
    fn parse(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }

    fn parse_cow(text: Cow<'_, str>) -> Result<Self, String> {
        Ok(text.into_owned())
    }

    fn render(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl Scalar for bool {
    /// Exactly what the SDK's `parse_boolean` accepts: `true/false/1/0`, any case, no blanks.
    fn parse(text: &str) -> Result<Self, String> {
        if text.eq_ignore_ascii_case("true") || text == "1" {
            Ok(true)
        } else if text.eq_ignore_ascii_case("false") || text == "0" {
            Ok(false)
        } else {
            Err(format!("is not true or false: {text:?}"))
        }
    }

    fn render(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

macro_rules! integer_scalar {
    ($($ty:ty),*) => {$(
        impl Scalar for $ty {
            fn parse(text: &str) -> Result<Self, String> {
                text.parse().map_err(|error: std::num::ParseIntError| match error.kind() {
                    std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                        format!("is out of range: {text:?}")
                    }
                    _ => format!("is not a whole number: {text:?}"),
                })
            }

            fn render(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}
integer_scalar!(i32, i64, u32, u64);

impl Scalar for crate::time::DateTime {
    fn parse(text: &str) -> Result<Self, String> {
        text.parse().map_err(|_| {
            format!("is not a date and time like 2019-08-20T12:57:43.049+03:00: {text:?}")
        })
    }

    fn render(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }

    /// Dates are epoch milliseconds in the engine's JSON.
    fn to_json(&self) -> Value {
        Value::from(self.millis)
    }

    fn from_json(value: &Value) -> Result<Self, String> {
        match value {
            Value::Number(number) => number
                .as_i64()
                .map(crate::time::DateTime::from_millis)
                .ok_or_else(|| format!("is not a time in epoch milliseconds: {number}")),
            Value::String(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
                text.parse()
                    .map(crate::time::DateTime::from_millis)
                    .map_err(|_| format!("is out of range: {text:?}"))
            }
            Value::String(text) => Self::parse(text),
            other => Err(format!("should be a date but is {}", json_kind(other))),
        }
    }
}

/// The problem text for an enum value outside the known set.
pub fn unknown_value(text: &str, expected: impl Iterator<Item = &'static str>) -> String {
    format!(
        "has unknown value {text:?} (expected one of: {})",
        expected.collect::<Vec<_>>().join(", ")
    )
}

/// Makes enums of the model, which carry the engine's exact spellings, usable as fields.
macro_rules! model_enum_scalar {
    ($($ty:ty),* $(,)?) => {$(
        impl Scalar for $ty {
            fn parse(text: &str) -> Result<Self, String> {
                text.parse()
                    .map_err(|_| unknown_value(text, <$ty>::ALL.iter().map(|v| v.as_str())))
            }

            fn render(&self) -> Cow<'_, str> {
                Cow::Borrowed(self.as_str())
            }
        }
    )*};
}
model_enum_scalar!(
    model::HostStatus,
    model::VmStatus,
    model::Affinity,
    model::DataCenterStatus,
    model::StorageDomainStatus,
    model::SpmStatus,
    model::SnapshotStatus,
    model::VolumeFormat,
);

/// An element with children: a nested value or an entity.
pub trait Node: Default {
    /// Whether `id` / `href` attributes are read.
    const IDENTIFIED: bool = false;

    fn set_attribute(&mut self, _key: &[u8], _value: Cow<'_, str>) {}

    /// Reads one child if it is known; `false` leaves it for the caller to skip.
    fn read_child<'a>(
        &mut self,
        reader: &mut XmlReader<'a>,
        child: &Child<'a>,
    ) -> Result<bool, WireError>;

    /// `(href, id)` to write as attributes.
    fn attributes(&self) -> (Option<&str>, Option<&str>) {
        (None, None)
    }

    fn write_content(&self, writer: &mut XmlWriter);

    fn write_json(&self, map: &mut Map<String, Value>);

    fn read_json(&mut self, map: &Map<String, Value>) -> Result<(), JsonProblem>;
}

pub fn read_node<'a, T: Node>(
    reader: &mut XmlReader<'a>,
    child: &Child<'a>,
) -> Result<T, WireError> {
    let mut node = T::default();
    if T::IDENTIFIED {
        child.for_each_attribute(reader, |key, value| node.set_attribute(key, value))?;
    }
    if !child.is_empty() {
        while let Some(grandchild) = reader.next_child()? {
            if !node.read_child(reader, &grandchild)? {
                reader.skip(&grandchild)?;
            }
        }
    }
    Ok(node)
}

pub fn write_node<T: Node>(node: &T, tag: &str, writer: &mut XmlWriter) {
    let (href, id) = node.attributes();
    let mark = writer.open(tag, href, id);
    node.write_content(writer);
    writer.close(tag, mark);
}

pub fn node_to_json<T: Node>(node: &T) -> Value {
    let mut map = Map::new();
    node.write_json(&mut map);
    Value::Object(map)
}

pub fn node_from_json<T: Node>(value: &Value) -> Result<T, JsonProblem> {
    let Value::Object(map) = value else {
        return Err(JsonProblem::new(format!(
            "should be an object but is {}",
            json_kind(value)
        )));
    };
    let mut node = T::default();
    node.read_json(map)?;
    Ok(node)
}

/// Reads `id` and `href` of a JSON object (ids may arrive as numbers).
pub fn json_attribute(map: &Map<String, Value>, key: &str) -> Result<Option<String>, JsonProblem> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(other) => Err(JsonProblem::new(format!(
            "should be a string but is {}",
            json_kind(other)
        ))
        .within(key)),
    }
}

pub fn read_list<'a, T: FieldValue>(
    reader: &mut XmlReader<'a>,
    child: &Child<'a>,
    item: &'static str,
) -> Result<Vec<T>, WireError> {
    let mut items = Vec::new();
    if child.is_empty() {
        return Ok(items);
    }
    while let Some(grandchild) = reader.next_child()? {
        if grandchild.name() != item.as_bytes() {
            reader.skip(&grandchild)?;
            continue;
        }
        reader.enter(item);
        let value = T::read_xml(reader, &grandchild)?;
        reader.leave();
        items.extend(value);
    }
    Ok(items)
}

pub fn write_list<T: FieldValue>(items: &[T], tag: &str, item: &str, writer: &mut XmlWriter) {
    let mark = writer.open(tag, None, None);
    for value in items {
        value.write_xml(item, writer);
    }
    writer.close(tag, mark);
}

/// `{"item": [...]}`, or `{}` for an empty list, as the engine writes nested lists.
pub fn list_to_json<T: FieldValue>(items: &[T], item: &str) -> Value {
    let mut map = Map::new();
    if !items.is_empty() {
        map.insert(
            item.to_owned(),
            Value::Array(items.iter().map(FieldValue::to_json).collect()),
        );
    }
    Value::Object(map)
}

/// Reads `{"item": [...]}`; a bare array, a single object under the key, or `{}` too.
pub fn list_from_json<T: FieldValue>(value: &Value, item: &str) -> Result<Vec<T>, JsonProblem> {
    match value {
        Value::Object(map) => match map.get(item) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(items) => each_from_json(items).map_err(|problem| problem.within(item)),
        },
        Value::Array(_) => each_from_json(value),
        other => Err(JsonProblem::new(format!(
            "should be a list but is {}",
            json_kind(other)
        ))),
    }
}

/// Reads an array of values, or a single value standing for a list of one.
pub fn each_from_json<T: FieldValue>(value: &Value) -> Result<Vec<T>, JsonProblem> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                T::from_json(item).map_err(|problem| problem.within(&index.to_string()))
            })
            .collect(),
        single => Ok(vec![T::from_json(single)?]),
    }
}

pub fn each_to_json<T: FieldValue>(items: &[T]) -> Value {
    Value::Array(items.iter().map(FieldValue::to_json).collect())
}

macro_rules! field_type {
    (one $ty:ty) => { Option<$ty> };
    (list $ty:ty) => { Option<Vec<$ty>> };
    (each $ty:ty) => { Vec<$ty> };
}

macro_rules! read_field {
    ($reader:ident, $child:ident, $place:expr, one $ty:ty, $tag:literal) => {
        $place = <$ty as $crate::field::FieldValue>::read_xml($reader, $child)?
    };
    ($reader:ident, $child:ident, $place:expr, list $ty:ty, $tag:literal, $item:literal) => {
        $place = Some($crate::field::read_list::<$ty>($reader, $child, $item)?)
    };
    ($reader:ident, $child:ident, $place:expr, each $ty:ty, $tag:literal) => {
        $place.extend(<$ty as $crate::field::FieldValue>::read_xml(
            $reader, $child,
        )?)
    };
}

macro_rules! write_field {
    ($writer:ident, $value:expr, one $ty:ty, $tag:literal) => {
        if let Some(value) = &$value {
            $crate::field::FieldValue::write_xml(value, $tag, $writer);
        }
    };
    ($writer:ident, $value:expr, list $ty:ty, $tag:literal, $item:literal) => {
        if let Some(items) = &$value {
            $crate::field::write_list(items, $tag, $item, $writer);
        }
    };
    ($writer:ident, $value:expr, each $ty:ty, $tag:literal) => {
        for value in &$value {
            $crate::field::FieldValue::write_xml(value, $tag, $writer);
        }
    };
}

macro_rules! field_to_json {
    ($map:ident, $value:expr, one $ty:ty, $tag:literal) => {
        if let Some(value) = &$value {
            $map.insert($tag.to_owned(), $crate::field::FieldValue::to_json(value));
        }
    };
    ($map:ident, $value:expr, list $ty:ty, $tag:literal, $item:literal) => {
        if let Some(items) = &$value {
            $map.insert($tag.to_owned(), $crate::field::list_to_json(items, $item));
        }
    };
    ($map:ident, $value:expr, each $ty:ty, $tag:literal) => {
        if !$value.is_empty() {
            $map.insert($tag.to_owned(), $crate::field::each_to_json(&$value));
        }
    };
}

macro_rules! field_from_json {
    ($map:ident, $place:expr, one $ty:ty, $tag:literal) => {
        if let Some(value) = $map.get($tag).filter(|value| !value.is_null()) {
            $place = Some(
                <$ty as $crate::field::FieldValue>::from_json(value)
                    .map_err(|problem| problem.within($tag))?,
            );
        }
    };
    ($map:ident, $place:expr, list $ty:ty, $tag:literal, $item:literal) => {
        if let Some(value) = $map.get($tag).filter(|value| !value.is_null()) {
            $place = Some(
                $crate::field::list_from_json::<$ty>(value, $item)
                    .map_err(|problem| problem.within($tag))?,
            );
        }
    };
    ($map:ident, $place:expr, each $ty:ty, $tag:literal) => {
        if let Some(value) = $map.get($tag).filter(|value| !value.is_null()) {
            $place = $crate::field::each_from_json::<$ty>(value)
                .map_err(|problem| problem.within($tag))?;
        }
    };
}

/// Lets a [`Node`] type be a field of another.
macro_rules! node_field {
    ($name:ident) => {
        impl $crate::field::FieldValue for $name {
            fn read_xml<'a>(
                reader: &mut $crate::xml::XmlReader<'a>,
                child: &$crate::xml::Child<'a>,
            ) -> Result<Option<Self>, $crate::error::WireError> {
                $crate::field::read_node(reader, child).map(Some)
            }

            fn write_xml(&self, tag: &str, writer: &mut $crate::xml::XmlWriter) {
                $crate::field::write_node(self, tag, writer);
            }

            fn to_json(&self) -> serde_json::Value {
                $crate::field::node_to_json(self)
            }

            fn from_json(value: &serde_json::Value) -> Result<Self, $crate::field::JsonProblem> {
                $crate::field::node_from_json(value)
            }
        }
    };
}

/// A nested value without attributes: `<cpu>`, `<topology>`, `<version>`.
macro_rules! wire_value {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $kind:ident $ty:ty = $tag:literal $(/ $item:literal)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: field_type!($kind $ty), )*
        }

        impl $crate::field::Node for $name {
            fn read_child<'a>(
                &mut self,
                reader: &mut $crate::xml::XmlReader<'a>,
                child: &$crate::xml::Child<'a>,
            ) -> Result<bool, $crate::error::WireError> {
                match child.name_str() {
                    $( $tag => {
                        reader.enter($tag);
                        read_field!(reader, child, self.$field, $kind $ty, $tag $(, $item)?);
                        reader.leave();
                    } )*
                    _ => return Ok(false),
                }
                Ok(true)
            }

            fn write_content(&self, writer: &mut $crate::xml::XmlWriter) {
                $( write_field!(writer, self.$field, $kind $ty, $tag $(, $item)?); )*
            }

            fn write_json(&self, map: &mut serde_json::Map<String, serde_json::Value>) {
                $( field_to_json!(map, self.$field, $kind $ty, $tag $(, $item)?); )*
            }

            fn read_json(
                &mut self,
                map: &serde_json::Map<String, serde_json::Value>,
            ) -> Result<(), $crate::field::JsonProblem> {
                $( field_from_json!(map, self.$field, $kind $ty, $tag $(, $item)?); )*
                Ok(())
            }
        }

        node_field!($name);
    };
}

/// An identified object of the API: `id` and `href` attributes, `name`, `description` and
/// `comment` first, its `<actions>` and `<link>`s (written from rel names under its href),
/// then its own fields in the order given.
macro_rules! wire_entity {
    (
        $(#[$meta:meta])*
        pub struct $name:ident ($tag_text:literal, $list_tag:literal, $kind_text:literal) {
            $( $(#[$fmeta:meta])* $field:ident : $kind:ident $ty:ty = $tag:literal $(/ $item:literal)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name {
            pub id: Option<String>,
            pub href: Option<String>,
            /// Action names written as `<actions><link href="{href}/{rel}" rel="{rel}"/>…`.
            /// Not read back: clients build action URLs from the href.
            pub actions: &'static [&'static str],
            /// Sub-collection names written as `<link href="{href}/{rel}" rel="{rel}"/>`.
            /// Not read back.
            pub links: &'static [&'static str],
            pub name: Option<String>,
            pub description: Option<String>,
            pub comment: Option<String>,
            $( $(#[$fmeta])* pub $field: field_type!($kind $ty), )*
        }

        impl $crate::field::Node for $name {
            const IDENTIFIED: bool = true;

            fn set_attribute(&mut self, key: &[u8], value: std::borrow::Cow<'_, str>) {
                match key {
                    b"id" => self.id = Some(value.into_owned()),
                    b"href" => self.href = Some(value.into_owned()),
                    _ => {}
                }
            }

            fn read_child<'a>(
                &mut self,
                reader: &mut $crate::xml::XmlReader<'a>,
                child: &$crate::xml::Child<'a>,
            ) -> Result<bool, $crate::error::WireError> {
                match child.name_str() {
                    "name" => {
                        reader.enter("name");
                        read_field!(reader, child, self.name, one String, "name");
                        reader.leave();
                    }
                    "description" => {
                        reader.enter("description");
                        read_field!(reader, child, self.description, one String, "description");
                        reader.leave();
                    }
                    "comment" => {
                        reader.enter("comment");
                        read_field!(reader, child, self.comment, one String, "comment");
                        reader.leave();
                    }
                    $( $tag => {
                        reader.enter($tag);
                        read_field!(reader, child, self.$field, $kind $ty, $tag $(, $item)?);
                        reader.leave();
                    } )*
                    _ => return Ok(false),
                }
                Ok(true)
            }

            fn attributes(&self) -> (Option<&str>, Option<&str>) {
                (self.href.as_deref(), self.id.as_deref())
            }

            fn write_content(&self, writer: &mut $crate::xml::XmlWriter) {
                if let Some(href) = self.href.as_deref() {
                    if !self.actions.is_empty() {
                        let mark = writer.open("actions", None, None);
                        for rel in self.actions {
                            writer.link_under(href, rel);
                        }
                        writer.close("actions", mark);
                    }
                }
                write_field!(writer, self.name, one String, "name");
                write_field!(writer, self.description, one String, "description");
                write_field!(writer, self.comment, one String, "comment");
                if let Some(href) = self.href.as_deref() {
                    for rel in self.links {
                        writer.link_under(href, rel);
                    }
                }
                $( write_field!(writer, self.$field, $kind $ty, $tag $(, $item)?); )*
            }

            fn write_json(&self, map: &mut serde_json::Map<String, serde_json::Value>) {
                if let Some(href) = &self.href {
                    map.insert("href".to_owned(), serde_json::Value::String(href.clone()));
                }
                if let Some(id) = &self.id {
                    map.insert("id".to_owned(), serde_json::Value::String(id.clone()));
                }
                if let Some(href) = self.href.as_deref() {
                    if !self.actions.is_empty() {
                        map.insert(
                            "actions".to_owned(),
                            serde_json::json!({ "link": $crate::field::json_links(href, self.actions) }),
                        );
                    }
                    if !self.links.is_empty() {
                        map.insert("link".to_owned(), $crate::field::json_links(href, self.links));
                    }
                }
                field_to_json!(map, self.name, one String, "name");
                field_to_json!(map, self.description, one String, "description");
                field_to_json!(map, self.comment, one String, "comment");
                $( field_to_json!(map, self.$field, $kind $ty, $tag $(, $item)?); )*
            }

            fn read_json(
                &mut self,
                map: &serde_json::Map<String, serde_json::Value>,
            ) -> Result<(), $crate::field::JsonProblem> {
                self.id = $crate::field::json_attribute(map, "id")?;
                self.href = $crate::field::json_attribute(map, "href")?;
                field_from_json!(map, self.name, one String, "name");
                field_from_json!(map, self.description, one String, "description");
                field_from_json!(map, self.comment, one String, "comment");
                $( field_from_json!(map, self.$field, $kind $ty, $tag $(, $item)?); )*
                Ok(())
            }
        }

        impl $crate::Entity for $name {
            const TAG: &'static str = $tag_text;
            const LIST_TAG: &'static str = $list_tag;
            const KIND: &'static str = $kind_text;

            fn id(&self) -> Option<&str> {
                self.id.as_deref()
            }

            fn name(&self) -> Option<&str> {
                self.name.as_deref()
            }
        }

        node_field!($name);
    };
}

/// `[{"href": "{href}/{rel}", "rel": rel}, …]`.
pub fn json_links(href: &str, rels: &[&str]) -> Value {
    Value::Array(
        rels.iter()
            .map(|rel| serde_json::json!({ "href": format!("{href}/{rel}"), "rel": rel }))
            .collect(),
    )
}
