//! What every command gets: the language, the output format and how much to say. The engine
//! connection options are checked here, up front, so that a typo is reported before any work.

use anyhow::{bail, Context as _};
use model::Lang;

use crate::cli::{ConnectionArgs, GlobalArgs, LangArg, OutputFormat};
use crate::exit::input_error;

pub struct Context {
    pub lang: Lang,
    pub output: OutputFormat,
    pub verbosity: Verbosity,
    /// How to reach a real engine, checked; `engine` is set when one was named.
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

fn lang_from_environment() -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .map_or(Lang::En, |locale| Lang::from_locale(&locale))
}

impl Context {
    pub fn new(global: &GlobalArgs) -> anyhow::Result<Context> {
        let lang = match global.lang {
            Some(LangArg::En) => Lang::En,
            Some(LangArg::Ja) => Lang::Ja,
            None => lang_from_environment(),
        };
        let verbosity = match (global.quiet, global.verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, _) => Verbosity::Verbose,
        };
        check_connection(&global.connection).map_err(input_error)?;
        Ok(Context {
            lang,
            output: global.output,
            verbosity,
            connection: global.connection.clone(),
        })
    }

    pub fn says(&self, verbosity: Verbosity) -> bool {
        self.verbosity >= verbosity && self.output == OutputFormat::Text
    }
}

/// Refuses connection options that cannot work: a URL that is not http(s), an unreadable or
/// empty password file, a CA file without a PEM certificate.
fn check_connection(args: &ConnectionArgs) -> anyhow::Result<()> {
    if let Some(url) = &args.engine {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .with_context(|| format!("engine URL `{url}` must start with https://"))?;
        if rest.is_empty() || rest.starts_with('/') {
            bail!("engine URL `{url}` names no host (write it like https://engine.example.com/ovirt-engine/api)");
        }
    }
    if let Some(path) = &args.password_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the password file {}", path.display()))?;
        if text.lines().next().unwrap_or("").is_empty() {
            bail!(
                "the password file {} is empty: its first line must be the password",
                path.display()
            );
        }
    }
    if let Some(path) = &args.ca_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the CA file {}", path.display()))?;
        if !text.contains("-----BEGIN CERTIFICATE-----") {
            bail!(
                    "{} holds no PEM certificate; download the engine CA from \
                     /ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA",
                    path.display()
                );
        }
    }
    Ok(())
}
