//! A process's memory as `/proc/<pid>/status` tells it, in KiB: what the
//! benchmarks sample from the programs they run.

/// One reading, or the peak of several ([`ProcessMemory::max`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct ProcessMemory {
    /// Resident now.
    pub rss_kib: u64,
    /// Peak resident set since the process started ("high water mark").
    pub hwm_kib: u64,
    /// Anonymous memory: the heap and stacks, not mapped files.
    pub anon_kib: u64,
}

impl ProcessMemory {
    /// `None` once the process has exited (a zombie has no memory lines).
    pub fn read(pid: u32) -> Option<Self> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse().ok())
        };
        Some(Self {
            rss_kib: field("VmRSS:")?,
            hwm_kib: field("VmHWM:")?,
            anon_kib: field("RssAnon:")?,
        })
    }

    pub fn max(self, other: Self) -> Self {
        Self {
            rss_kib: self.rss_kib.max(other.rss_kib),
            hwm_kib: self.hwm_kib.max(other.hwm_kib),
            anon_kib: self.anon_kib.max(other.anon_kib),
        }
    }
}
