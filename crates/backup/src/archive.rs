//! One pass over an engine-backup archive: every member hashed as it streams by, the small
//! members kept as text, the database dumps written (decompressed) to a temporary directory,
//! and the `files` member's own tar listed.
//!
//! The layout is engine-backup's (`packaging/bin/engine-backup.sh.in` in ovirt-engine):
//! `tar -C DIR -cpS[z|j|J]f FILE .` of a directory holding `version`, `os_version`, `config`,
//! the checksum file (`sha256sum` since 4.3.3, `md5sum` before), `files` (a tar of the
//! product files, xz by default) and `db/` with one dump per database.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use md5::{Digest, Md5};
use serde::Serialize;
use sha2::Sha256;

/// How a stream is compressed, found from its first bytes (engine-backup's compressors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    Gzip,
    Bzip2,
    Xz,
    None,
}

impl Compression {
    /// The compression whose magic number starts `head`; `None` when no compressor's does.
    pub fn detect(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(b"BZh") {
            Compression::Bzip2
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Compression::Xz
        } else {
            Compression::None
        }
    }

    /// The name engine-backup's `--*-compressor` options and its `config` file use.
    pub fn engine_backup_name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::None => "None",
        }
    }

    /// A reader that undoes this compression.
    fn decoder<'a, R: BufRead + 'a>(self, reader: R) -> Box<dyn Read + 'a> {
        match self {
            Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(reader)),
            Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(reader)),
            Compression::Xz => Box::new(lzma_rust2::XzReader::new(reader, true)),
            Compression::None => Box::new(reader),
        }
    }
}

/// Whether a 512-byte block is a tar header (the ustar magic of POSIX and GNU tar).
fn is_tar_header(block: &[u8]) -> bool {
    block.len() >= 262 && &block[257..262] == b"ustar"
}

/// The members whose content the checks read, kept in memory (they are a few lines each).
pub const TEXT_MEMBERS: [&str; 5] = ["version", "os_version", "config", "sha256sum", "md5sum"];
/// The member holding the product files, a tar of its own.
pub const FILES_MEMBER: &str = "files";
/// Text members larger than this are not kept: they are not what engine-backup writes.
const TEXT_LIMIT: u64 = 1 << 20;

/// What one member of the archive held.
#[derive(Debug, Default)]
pub struct Member {
    pub size: u64,
    pub md5: String,
    pub sha256: String,
    /// The first bytes, enough for a file format's magic number.
    pub head: Vec<u8>,
    /// The content of a text member.
    pub text: Option<String>,
    /// A database dump, decompressed into the temporary directory.
    pub dump: Option<SavedDump>,
    /// The `files` member's listing.
    pub files: Option<FilesListing>,
}

#[derive(Debug)]
pub struct SavedDump {
    pub compression: Compression,
    pub path: PathBuf,
    /// Why the dump could not be decompressed, when it could not.
    pub error: Option<String>,
}

#[derive(Debug, Default)]
pub struct FilesListing {
    pub compression: Option<Compression>,
    /// Paths as they will be restored, relative to / (`etc/ovirt-engine/...`).
    pub paths: BTreeSet<String>,
    /// Why the listing stopped early, when it did.
    pub error: Option<String>,
}

/// The whole archive, read once.
#[derive(Debug)]
pub struct Contents {
    pub compression: Compression,
    /// Members by their path in the archive without the leading `./` (`db/engine_backup.db`).
    pub members: BTreeMap<String, Member>,
    /// Why reading stopped before the archive's end, when it did.
    pub truncated: Option<String>,
}

/// Why a file is not a tar archive at all (neither compressed nor plain).
#[derive(Debug)]
pub enum OpenError {
    Io(io::Error),
    NotTar { compression: Compression },
}

/// Reads the archive at `path`, writing dumps (members whose name `is_dump` accepts) under
/// `scratch`.
pub fn read(
    path: &Path,
    scratch: &Path,
    is_dump: impl Fn(&str) -> bool,
) -> Result<Contents, OpenError> {
    let file = File::open(path).map_err(OpenError::Io)?;
    let mut raw = BufReader::with_capacity(1 << 16, file);
    let compression = Compression::detect(raw.fill_buf().map_err(OpenError::Io)?);
    let mut decoded = compression.decoder(raw);
    let mut head = Vec::with_capacity(512);
    match (&mut decoded).take(512).read_to_end(&mut head) {
        Ok(_) if is_tar_header(&head) => {}
        Ok(_) => return Err(OpenError::NotTar { compression }),
        Err(error) if compression == Compression::None => return Err(OpenError::Io(error)),
        // The compressor's magic was right but the stream breaks before one tar block.
        Err(error) => {
            return Ok(Contents {
                compression,
                members: BTreeMap::new(),
                truncated: Some(error.to_string()),
            })
        }
    }
    let stream = io::Cursor::new(head).chain(decoded);

    let mut contents = Contents {
        compression,
        members: BTreeMap::new(),
        truncated: None,
    };
    let mut archive = tar::Archive::new(stream);
    let result = (|| -> io::Result<()> {
        for entry in archive.entries()? {
            let entry = entry?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = member_name(&entry.path()?);
            let member = read_member(entry, &name, scratch, &is_dump)?;
            contents.members.insert(name, member);
        }
        // The compressor checks its trailer (gzip's CRC and length) only when read to the end.
        io::copy(&mut archive.into_inner(), &mut io::sink())?;
        Ok(())
    })();
    if let Err(error) = result {
        contents.truncated = Some(error.to_string());
    }
    Ok(contents)
}

/// `./db/engine_backup.db` → `db/engine_backup.db`.
fn member_name(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.trim_start_matches("./")
        .trim_start_matches('/')
        .to_owned()
}

/// Hashes everything read through it, with both of engine-backup's hashers.
struct Hashing<R> {
    inner: R,
    md5: Md5,
    sha256: Sha256,
    size: u64,
    head: Vec<u8>,
}

/// How many first bytes of each member are kept.
const HEAD_LENGTH: usize = 16;

impl<R: Read> Hashing<R> {
    fn new(inner: R) -> Self {
        Hashing {
            inner,
            md5: Md5::new(),
            sha256: Sha256::new(),
            size: 0,
            head: Vec::with_capacity(HEAD_LENGTH),
        }
    }

    /// Reads what is left, so the hashes cover the whole member.
    fn finish(mut self, mut member: Member) -> io::Result<Member> {
        io::copy(&mut self, &mut io::sink())?;
        member.size = self.size;
        member.head = self.head;
        member.md5 = hex(&self.md5.finalize());
        member.sha256 = hex(&self.sha256.finalize());
        Ok(member)
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.md5.update(&buf[..n]);
        self.sha256.update(&buf[..n]);
        self.size += n as u64;
        let wanted = HEAD_LENGTH.saturating_sub(self.head.len()).min(n);
        self.head.extend_from_slice(&buf[..wanted]);
        Ok(n)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads one member. An error here is the outer archive's (it broke off); a member whose
/// own content is bad (a dump that does not decompress) is recorded in the member.
fn read_member<R: Read>(
    entry: R,
    name: &str,
    scratch: &Path,
    is_dump: &impl Fn(&str) -> bool,
) -> io::Result<Member> {
    let mut hashing = Hashing::new(entry);
    let mut member = Member::default();
    if TEXT_MEMBERS.contains(&name) {
        let mut bytes = Vec::new();
        (&mut hashing).take(TEXT_LIMIT).read_to_end(&mut bytes)?;
        member.text = Some(String::from_utf8_lossy(&bytes).into_owned());
    } else if name == FILES_MEMBER {
        member.files = Some(list_files(&mut hashing)?);
    } else if is_dump(name) {
        member.dump = Some(save_dump(&mut hashing, name, scratch)?);
    }
    hashing.finish(member)
}

/// Tells the outer archive's read errors from the member's own: the outer one sets this flag
/// before handing the error up through the member's decoder.
struct Tracked<'a, R> {
    inner: &'a mut R,
    failed: bool,
}

impl<R: Read> Read for Tracked<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|_| self.failed = true)
    }
}

/// Lists the product files' tar; the `files` member is itself compressed (xz by default).
fn list_files<R: Read>(member: &mut R) -> io::Result<FilesListing> {
    let mut tracked = Tracked {
        inner: member,
        failed: false,
    };
    let mut raw = BufReader::new(&mut tracked);
    let head = raw.fill_buf()?;
    let mut listing = FilesListing::default();
    if head.is_empty() {
        return Ok(listing);
    }
    let compression = Compression::detect(head);
    listing.compression = Some(compression);
    let mut archive = tar::Archive::new(compression.decoder(raw));
    let result = (|| -> io::Result<()> {
        for entry in archive.entries()? {
            let entry = entry?;
            listing.paths.insert(member_name(&entry.path()?));
        }
        io::copy(&mut archive.into_inner(), &mut io::sink())?;
        Ok(())
    })();
    if let Err(error) = result {
        if tracked.failed {
            return Err(error);
        }
        listing.error = Some(error.to_string());
    }
    Ok(listing)
}

/// Writes a dump, decompressed, to `scratch`; the compressor is found from its first bytes.
fn save_dump<R: Read>(member: &mut R, name: &str, scratch: &Path) -> io::Result<SavedDump> {
    let path = scratch.join(name.replace('/', "_"));
    let mut out = File::create(&path)?;
    let mut tracked = Tracked {
        inner: member,
        failed: false,
    };
    let mut raw = BufReader::new(&mut tracked);
    let compression = Compression::detect(raw.fill_buf()?);
    let mut decoder = compression.decoder(raw);
    let mut buf = vec![0u8; 1 << 16];
    let mut error = None;
    loop {
        match decoder.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.write_all(&buf[..n])?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                drop(decoder);
                if tracked.failed {
                    return Err(e);
                }
                error = Some(e.to_string());
                break;
            }
        }
    }
    Ok(SavedDump {
        compression,
        path,
        error,
    })
}
