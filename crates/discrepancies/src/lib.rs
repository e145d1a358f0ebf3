//! Image discrepancies: volume metadata on storage domains against the engine's records of it,
//! the check the Upgrade Guide asks for before every upgrade (`rhv-image-discrepancies`), rebuilt
//! from vdsm's on-storage formats.
//!
//! - Storage side ([`storage::DomainScan`]): [`file`] domains from a mounted directory, [`block`]
//!   domains from `lvs` output and the metadata LV, and vdsm's own [`dump`]s.
//! - Engine side ([`engine::EngineView`]): an [`engine::EngineSource`], today an inventory
//!   ([`engine::InventorySource`]) or the engine database ([`db::DbSource`]).
//! - [`compare::compare`] turns both into a [`report::Report`]; [`compare::confirm`] keeps what
//!   two collections agree on; [`report::render_text`] prints it the way the original tool did,
//!   [`html::html`] shows it on a page.
//! - [`sim`] writes storage trees with planted discrepancies.
//!
//! Readers return per-file and per-volume problems and go on; nothing here prints.

pub mod block;
pub mod chain;
pub mod compare;
pub mod db;
pub mod dommeta;
pub mod dump;
pub mod engine;
pub mod file;
pub mod html;
pub mod report;
pub mod sim;
pub mod storage;
pub mod vocab;
pub mod volmeta;

use std::path::PathBuf;

use model::StorageDomainId;

pub use compare::{compare, confirm};
pub use engine::{EngineSource, EngineView, InventorySource};
pub use report::{render_text, Report};
pub use storage::{DomainScan, StorageError, StorageView};

/// One storage-side input.
#[derive(Debug, Clone)]
pub enum StorageSource {
    /// A mounted file domain, or a directory of them.
    FileDomain(PathBuf),
    /// An `lvs --reportformat json` report, with where to read each volume group's metadata LV.
    Block {
        lvs: PathBuf,
        options: block::BlockOptions,
    },
    /// A vdsm dump (`dump-volume-chains -o json` or `StorageDomain.dump`), of `domain` when given.
    Dump {
        path: PathBuf,
        domain: Option<StorageDomainId>,
    },
}

impl StorageSource {
    /// Reads the source. Problems inside it (a bad `.meta`, an unreadable directory) are in the
    /// scans; an error means the source as a whole could not be read.
    pub fn scan(&self) -> Result<Vec<DomainScan>, StorageError> {
        match self {
            StorageSource::FileDomain(path) => file::scan(path),
            StorageSource::Block { lvs, options } => {
                let bytes = std::fs::read(lvs).map_err(|source| StorageError::Io {
                    path: lvs.clone(),
                    source,
                })?;
                block::scan(&bytes, lvs, options)
            }
            StorageSource::Dump { path, domain } => {
                let bytes = std::fs::read(path).map_err(|source| StorageError::Io {
                    path: path.clone(),
                    source,
                })?;
                dump::read(&bytes, path, *domain).map(|scan| vec![scan])
            }
        }
    }
}

/// Reads every storage source into one view.
pub fn collect_storage(sources: &[StorageSource]) -> Result<StorageView, StorageError> {
    let mut view = StorageView::default();
    for source in sources {
        view.add(source.scan()?);
    }
    Ok(view)
}
