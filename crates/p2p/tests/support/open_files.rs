//! How a process has media files open, from `/proc/<pid>/fd` and `/proc/<pid>/fdinfo`.

use std::path::{Path, PathBuf};

/// The access modes (0 read-only, 1 write-only, 2 read-write) of every descriptor that process
/// `pid` (a number, or `self`) has open on one of `paths` (compared after canonicalising them).
pub fn open_modes(pid: &str, paths: &[PathBuf]) -> Vec<u32> {
    let wanted: Vec<PathBuf> = paths
        .iter()
        .map(|path| path.canonicalize().unwrap())
        .collect();
    let mut modes = Vec::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(Result::ok)
    {
        let Ok(target) = std::fs::read_link(entry.path()) else {
            continue;
        };
        if !wanted.iter().any(|path| path == Path::new(&target)) {
            continue;
        }
        let fd = entry.file_name().to_string_lossy().into_owned();
        let Ok(info) = std::fs::read_to_string(format!("/proc/{pid}/fdinfo/{fd}")) else {
            continue;
        };
        let flags = info
            .lines()
            .find_map(|line| line.strip_prefix("flags:"))
            .and_then(|flags| u32::from_str_radix(flags.trim(), 8).ok())
            .expect("fdinfo has flags");
        modes.push(flags & 0o3);
    }
    modes
}
