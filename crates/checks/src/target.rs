//! Which version the checks aim at: the one asked for, or the next stop on the guide's route.

use model::release::{self, UnknownRelease};
use model::Version;

/// Why the checks cannot run for this Manager and target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("the inventory's Manager version is not one this tool knows: {0}")]
    UnknownManager(#[source] UnknownRelease),
    #[error("the target is not a release this tool knows: {0}")]
    UnknownTarget(#[source] UnknownRelease),
    #[error("the target {target} is older than the Manager's version {current}: a Manager is never downgraded")]
    OlderThanManager { target: Version, current: Version },
}

/// The next version on the route: the newest release of the Manager's own line when it is
/// not on it yet (the guide updates within the line first), otherwise the newest release of
/// the next line; the Manager's own version when nothing newer exists.
pub fn default_target(current: Version) -> Version {
    match release::release(current.line()) {
        Some(own) if current.patch < own.latest_patch => own.latest(),
        Some(own) => release::next_release(own.line).map_or(current, |next| next.latest()),
        None => current,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        text.parse().unwrap()
    }

    #[test]
    fn the_route_goes_to_the_end_of_the_line_then_to_the_next_line() {
        assert_eq!(default_target(v("4.3.6")), v("4.3.11"));
        assert_eq!(default_target(v("4.3.11")), v("4.4.10"));
        assert_eq!(default_target(v("4.2.8")), v("4.3.11"));
        assert_eq!(default_target(v("4.4.3")), v("4.4.10"));
        assert_eq!(default_target(v("4.4.10")), v("4.5.6"));
        assert_eq!(default_target(v("4.5.6")), v("4.5.6"));
    }
}
