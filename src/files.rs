//! Local files, read as untrusted input: only regular files (a FIFO would block, a device
//! such as `/dev/zero` never ends), and never more than a cap, so no file can exhaust memory.

use std::io::Read;
use std::path::Path;

/// Most bytes of a key file: keys are a few dozen bytes.
pub const KEY_CAP: u64 = 16 * 1024;
/// Most bytes of a bridges file: 100,000 bridges take about 10 MiB.
pub const BRIDGES_CAP: u64 = 64 * 1024 * 1024;
/// Most bytes of a scenario file for the simulated bridge.
pub const SCENARIO_CAP: u64 = 1024 * 1024;

/// Read a regular file of at most `cap` bytes as UTF-8. The error is a short phrase for the
/// caller's line ("not a regular file", "larger than 16 KiB", the OS error).
///
/// What is checked is what was opened (the descriptor's own metadata), and the open never
/// blocks, so a file swapped for a FIFO, a device or a symlink to `/dev/zero` between a look
/// and a read is refused all the same, at once: a reload reads through here as the start does.
pub fn read_capped(path: &Path, cap: u64) -> Result<String, String> {
    let file = crate::platform::open_for_reading(path).map_err(|e| {
        // Windows opens no directory as a file: say what it is, as Unix's fstat does.
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => "not a regular file".to_owned(),
            _ => e.to_string(),
        }
    })?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > cap {
        return Err(format!("larger than {}", crate::units::human_bytes(cap)));
    }
    let mut buf = Vec::new();
    // The size may have changed since the check: the cap holds whatever was read.
    file.take(cap + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() as u64 > cap {
        return Err(format!("larger than {}", crate::units::human_bytes(cap)));
    }
    String::from_utf8(buf).map_err(|_| "not UTF-8 text".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_within_the_cap_is_read_and_one_past_it_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k");
        std::fs::write(&p, "x".repeat(16)).unwrap();
        assert_eq!(read_capped(&p, 16).unwrap().len(), 16);
        std::fs::write(&p, "x".repeat(17)).unwrap();
        assert_eq!(read_capped(&p, 16).unwrap_err(), "larger than 16 B");
        std::fs::write(&p, [0xff, 0xfe]).unwrap();
        assert_eq!(read_capped(&p, 16).unwrap_err(), "not UTF-8 text");
    }

    #[test]
    fn a_directory_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_capped(dir.path(), 16).unwrap_err(), "not a regular file");
        assert!(read_capped(&dir.path().join("none"), 16).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_a_device_and_a_symlink_to_one_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a NUL-terminated path of our own temporary directory.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // No writer: a blocking open would wait here for ever.
        assert_eq!(read_capped(&fifo, 16).unwrap_err(), "not a regular file");
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert_eq!(read_capped(&zero, 16).unwrap_err(), "not a regular file");
        let big = dir.path().join("big");
        std::fs::File::create(&big).unwrap().set_len(1 << 30).unwrap();
        assert_eq!(read_capped(&big, 16).unwrap_err(), "larger than 16 B");
    }
}
