//! The route from one Manager version to another: the hops the guide allows, in order.
//!
//! A Manager upgrades one release line at a time (4.2 → 4.3 → 4.4 → 4.5), and each upgrade
//! starts by bringing the source line to its latest patch release. Within a line there is a
//! single update hop (guide chapter 4).

use std::fmt;

use model::release::{self, Release, UnknownRelease};
use model::{Level, Version};
use serde::Serialize;

/// Whether a hop stays in its release line or moves to the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HopKind {
    /// A minor update within a line (4.4.3 → 4.4.10).
    Update,
    /// An upgrade to the next line (4.3 → 4.4), which first updates the source line.
    Upgrade,
}

/// One step of the route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hop {
    pub kind: HopKind,
    pub from: Version,
    pub to: Version,
}

impl Hop {
    /// Stable prefix of every step id in this hop: `4.3-4.4`, or `4.4.z` for an update.
    pub fn id(&self) -> String {
        match self.kind {
            HopKind::Update => format!("{}.z", self.from.line()),
            HopKind::Upgrade => format!("{}-{}", self.from.line(), self.to.line()),
        }
    }

    fn release_of_line(line: Level) -> &'static Release {
        release::release(line).expect("routes only hold versions of known releases")
    }

    /// The line the hop starts from.
    pub fn source_release(&self) -> &'static Release {
        Self::release_of_line(self.from.line())
    }

    /// The line the hop ends in.
    pub fn target_release(&self) -> &'static Release {
        Self::release_of_line(self.to.line())
    }

    /// An upgrade whose source is not yet the latest patch of its line updates it first.
    pub fn updates_source_first(&self) -> bool {
        self.kind == HopKind::Upgrade && self.from < self.source_release().latest()
    }

    /// Whether the guide describes this hop; 4.5 lies beyond it.
    pub fn in_guide(&self) -> bool {
        self.target_release().in_guide
    }

    /// The highest cluster and data-center level the target version accepts.
    pub fn target_level(&self) -> Level {
        *release::supported_cluster_levels(self.to)
            .last()
            .expect("every known release accepts some level")
    }

    /// The highest level the source version accepts: what clusters can be at before the hop.
    pub fn source_level(&self) -> Level {
        *release::supported_cluster_levels(self.from)
            .last()
            .expect("every known release accepts some level")
    }

    /// The lowest level the target version still accepts: older clusters block its engine-setup.
    pub fn minimum_level(&self) -> Level {
        *release::supported_cluster_levels(self.to)
            .first()
            .expect("every known release accepts some level")
    }
}

/// The hops from one version to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub from: Version,
    pub to: Version,
    pub hops: Vec<Hop>,
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.from)?;
        for hop in &self.hops {
            write!(f, " → {}", hop.to)?;
        }
        Ok(())
    }
}

/// Why no route exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("{0}")]
    UnknownVersion(UnknownRelease),
    #[error(
        "{from} → {to} crosses from major version {} to {}: the guide and this tool cover 4.2 to 4.5 only \
         (bring an older Manager to 4.2 with the RHV 4.2 Upgrade Guide first)",
        from.major, to.major
    )]
    SkippedMajor { from: Version, to: Version },
    #[error(
        "{from} → {to} is a downgrade: oVirt Managers cannot go back to an older version \
         (restore an engine-backup taken on {to} instead)"
    )]
    Downgrade { from: Version, to: Version },
    #[error(
        "the Manager is already at {version}: there is nothing to plan \
         (ask for a newer --to; 4.5 lies beyond the guide but is planned too)"
    )]
    AlreadyThere { version: Version },
}

/// The route from `from` to `to`, refusing versions that never existed, downgrades and jumps
/// across a major version.
pub fn route(from: Version, to: Version) -> Result<Route, RouteError> {
    if from.major != to.major {
        return Err(RouteError::SkippedMajor { from, to });
    }
    let source = release::release_of(from).map_err(RouteError::UnknownVersion)?;
    release::release_of(to).map_err(RouteError::UnknownVersion)?;
    if to < from {
        return Err(RouteError::Downgrade { from, to });
    }
    if to == from {
        return Err(RouteError::AlreadyThere { version: from });
    }
    let mut hops = Vec::new();
    if from.line() == to.line() {
        hops.push(Hop {
            kind: HopKind::Update,
            from,
            to,
        });
    } else {
        let mut current = from;
        let mut line = source;
        while let Some(next) = release::next_release(line.line) {
            if next.line > to.line() {
                break;
            }
            let target = if next.line == to.line() {
                to
            } else {
                next.latest()
            };
            hops.push(Hop {
                kind: HopKind::Upgrade,
                from: current,
                to: target,
            });
            current = target;
            line = next;
        }
    }
    Ok(Route { from, to, hops })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        text.parse().unwrap()
    }

    #[test]
    fn multi_hop_goes_through_the_latest_of_each_line() {
        let route = route(v("4.2.3"), v("4.4.10")).unwrap();
        let hops: Vec<_> = route.hops.iter().map(|h| (h.id(), h.from, h.to)).collect();
        assert_eq!(
            hops,
            vec![
                ("4.2-4.3".to_owned(), v("4.2.3"), v("4.3.11")),
                ("4.3-4.4".to_owned(), v("4.3.11"), v("4.4.10")),
            ]
        );
        assert!(route.hops[0].updates_source_first());
        assert!(!route.hops[1].updates_source_first());
        assert_eq!(route.to_string(), "4.2.3 → 4.3.11 → 4.4.10");
    }

    #[test]
    fn minor_updates_stay_in_their_line() {
        let route = route(v("4.4.3"), v("4.4.10")).unwrap();
        assert_eq!(route.hops.len(), 1);
        assert_eq!(route.hops[0].kind, HopKind::Update);
        assert_eq!(route.hops[0].id(), "4.4.z");
        assert_eq!(route.hops[0].source_level(), Level::new(4, 5));
        assert_eq!(route.hops[0].target_level(), Level::new(4, 6));
    }

    #[test]
    fn beyond_the_guide_reaches_level_4_7() {
        let route = route(v("4.4.10"), v("4.5.6")).unwrap();
        assert!(!route.hops[0].in_guide());
        assert_eq!(route.hops[0].target_level(), Level::new(4, 7));
    }

    #[test]
    fn refusals_say_why() {
        let down = route(v("4.4.10"), v("4.3.11")).unwrap_err();
        assert!(matches!(down, RouteError::Downgrade { .. }), "{down}");
        let same = route(v("4.3.11"), v("4.3.11")).unwrap_err();
        assert!(same.to_string().contains("already at 4.3.11"), "{same}");
        let major = route(v("3.6.12"), v("4.4.10")).unwrap_err();
        assert!(
            major.to_string().contains("major version 3 to 4"),
            "{major}"
        );
        let unknown = route(v("4.1.9"), v("4.3.11")).unwrap_err();
        assert!(unknown.to_string().contains("4.1.9"), "{unknown}");
        let past = route(v("4.3.11"), v("4.4.12")).unwrap_err();
        assert!(past.to_string().contains("ended at 4.4.10"), "{past}");
    }
}
