//! Environments written down: scenario files (compact TOML for people), inventory snapshots
//! (JSON, `"format": 1`), the examples shipped with the tool, and a seeded generator for
//! large environments.
//!
//! Loading either gives a whole, validated [`model::Inventory`] or a [`LoadError`] that names
//! the file, the line or field, and the fix.

mod build;
pub mod error;
pub mod generate;

pub mod size;
pub mod spec;

use std::path::Path;

use model::{Inventory, INVENTORY_FORMAT};

pub use error::{LoadError, Location, Problem};
pub use generate::{generate, GenerateParams};

/// An example environment shipped in `examples/` and compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// Its name on the command line (`example:self-hosted`).
    pub name: &'static str,
    pub file: &'static str,
    pub text: &'static str,
}

macro_rules! examples {
    ($($name:literal),* $(,)?) => {
        &[$(Example {
            name: $name,
            file: concat!("examples/", $name, ".toml"),
            text: include_str!(concat!("../../../examples/", $name, ".toml")),
        }),*]
    };
}

/// Every shipped example; the first is the embedded default.
pub const EXAMPLES: &[Example] = examples!(
    "self-hosted",
    "standalone-local",
    "standalone-remote",
    "local-storage",
    "hyperconverged",
    "pinned-and-ha",
    "sha1-certificates",
    "rhv-4.2",
    "demo",
    "self-hosted-migration",
    "local-storage-migration",
);

/// The example used when no environment is named.
pub fn default_example() -> &'static Example {
    &EXAMPLES[0]
}

pub fn example(name: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.name == name)
}

/// Loads `example:NAME`, a scenario (`.toml`) or an inventory (`.json`); other files are
/// told apart by their first character.
pub fn load(spec: &str) -> Result<Inventory, LoadError> {
    if let Some(name) = spec.strip_prefix("example:") {
        let example = example(name).ok_or_else(|| {
            let names: Vec<&str> = EXAMPLES.iter().map(|e| e.name).collect();
            LoadError::whole_file(
                spec,
                format!("there is no example named \"{name}\""),
                format!("examples: {}", names.join(", ")),
            )
        })?;
        return parse_scenario(example.text, example.file);
    }
    let path = Path::new(spec);
    let bytes = std::fs::read(path).map_err(|error| {
        let hint = match error.kind() {
            std::io::ErrorKind::NotFound => {
                "check the path; `example:NAME` loads a shipped example"
            }
            std::io::ErrorKind::PermissionDenied => "make the file readable for this user",
            _ => "",
        };
        LoadError::whole_file(spec, format!("cannot read the file: {error}"), hint)
    })?;
    let is_json = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => true,
        Some("toml") => false,
        _ => bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'),
    };
    if is_json {
        parse_inventory(&bytes, spec)
    } else {
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            LoadError::whole_file(
                spec,
                format!("the file is not UTF-8 text (byte {})", e.valid_up_to()),
                "save it as UTF-8",
            )
        })?;
        parse_scenario(text, spec)
    }
}

/// Reads a scenario from TOML text; `file` names it in errors.
pub fn parse_scenario(text: &str, file: &str) -> Result<Inventory, LoadError> {
    let spec: spec::ScenarioSpec = toml::from_str(text).map_err(|error| {
        let location = error.span().map_or(Location::File, |span| {
            error::line_and_column(text, span.start)
        });
        LoadError {
            file: file.to_owned(),
            problems: vec![Problem {
                location,
                message: error.message().trim().to_owned(),
                hint: toml_hint(error.message()),
            }],
        }
    })?;
    let seed = spec.seed;
    build::Builder::new(text, seed)
        .build(spec, file)
        .map_err(|problems| LoadError {
            file: file.to_owned(),
            problems,
        })
}

fn toml_hint(message: &str) -> String {
    if message.contains("unknown field") {
        "remove the field or correct its spelling; docs/scenario-format.md lists every field".into()
    } else if message.contains("missing field") {
        "add the field; docs/scenario-format.md says what it means".into()
    } else if message.contains("unknown variant") {
        "use one of the values listed".into()
    } else {
        String::new()
    }
}

/// Reads an inventory snapshot (JSON).
pub fn parse_inventory(bytes: &[u8], file: &str) -> Result<Inventory, LoadError> {
    let inventory: Inventory = serde_json::from_slice(bytes).map_err(|error| {
        // A wrong format version explains everything that follows; say that first.
        #[derive(serde::Deserialize)]
        struct FormatOnly {
            format: Option<u32>,
        }
        let (message, hint) = match serde_json::from_slice::<FormatOnly>(bytes) {
            Ok(FormatOnly { format: Some(format) }) if format != INVENTORY_FORMAT => (
                format!("inventory format {format} is not one this version reads (it reads format {INVENTORY_FORMAT})"),
                "export the inventory again with this version of ovirt-upgrade".to_owned(),
            ),
            Ok(FormatOnly { format: None }) if !error.is_syntax() && !error.is_eof() => (
                "this JSON has no \"format\" field: it is not an ovirt-upgrade inventory".into(),
                "create one with `ovirt-upgrade inventory export` or `ovirt-upgrade sim generate`".into(),
            ),
            _ => (error.to_string(), json_hint(&error)),
        };
        let location = if error.line() > 0 { Location::Line { line: error.line(), column: error.column() } } else { Location::File };
        LoadError { file: file.to_owned(), problems: vec![Problem { location, message, hint }] }
    })?;
    if inventory.format != INVENTORY_FORMAT {
        return Err(LoadError::whole_file(
            file,
            format!("inventory format {} is not one this version reads (it reads format {INVENTORY_FORMAT})", inventory.format),
            "export the inventory again with this version of ovirt-upgrade",
        ));
    }
    let problems = inventory.validate();
    if !problems.is_empty() {
        return Err(LoadError {
            file: file.to_owned(),
            problems: problems
                .into_iter()
                .map(|p| Problem {
                    location: Location::Field(p.field),
                    message: format!("{}: {}", p.object, p.message),
                    hint: p.hint,
                })
                .collect(),
        });
    }
    Ok(inventory)
}

fn json_hint(error: &serde_json::Error) -> String {
    let text = error.to_string();
    if error.is_syntax() || error.is_eof() {
        "the file is not valid JSON here; was it cut short or edited by hand?".into()
    } else if text.contains("unknown field") {
        "remove the field or correct its spelling; docs/inventory-format.md lists every field"
            .into()
    } else {
        "docs/inventory-format.md describes every field".into()
    }
}

/// The inventory as JSON, the way `inventory export` and `sim generate` write it.
pub fn to_json(inventory: &Inventory) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(inventory).expect("an inventory always serialises");
    bytes.push(b'\n');
    bytes
}
