//! Opening catalog files (DBLP dump, arXiv snapshot), gzip unpacked on the fly.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::SourceError;

/// Read buffer: large reads keep a multi-gigabyte dump from costing syscalls.
const BUFFER: usize = 256 * 1024;

/// Opens `path` for [`crate::dblp_records`] or [`crate::arxiv_snapshot_records`],
/// unpacking it as it is read when the name ends in `.gz`.
pub fn open_catalog_file(path: &Path) -> Result<Box<dyn BufRead + Send>, SourceError> {
    let file = File::open(path).map_err(|e| SourceError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    Ok(if gz {
        Box::new(BufReader::with_capacity(
            BUFFER,
            MultiGzDecoder::new(BufReader::with_capacity(BUFFER, file)),
        ))
    } else {
        Box::new(BufReader::with_capacity(BUFFER, file))
    })
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    #[test]
    fn plain_and_gzip() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.xml");
        std::fs::write(&plain, b"hello").unwrap();
        let gz = dir.path().join("a.xml.GZ");
        let mut enc = GzEncoder::new(File::create(&gz).unwrap(), Compression::fast());
        enc.write_all(b"hello").unwrap();
        enc.finish().unwrap();
        for p in [&plain, &gz] {
            let mut s = String::new();
            open_catalog_file(p)
                .unwrap()
                .read_to_string(&mut s)
                .unwrap();
            assert_eq!(s, "hello");
        }
        let e = open_catalog_file(&dir.path().join("missing.xml"))
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("could not read "), "{e}");
        // A file named .gz that is not gzip fails on reading, with an error not a panic.
        std::fs::write(dir.path().join("b.gz"), b"not gzip").unwrap();
        let mut s = String::new();
        assert!(
            open_catalog_file(&dir.path().join("b.gz"))
                .unwrap()
                .read_to_string(&mut s)
                .is_err()
        );
    }
}
