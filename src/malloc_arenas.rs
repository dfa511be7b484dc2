//! Caps glibc's malloc arenas before the runtime starts its threads.
//!
//! glibc gives busy threads arenas of their own (up to eight per core) and
//! keeps what each has freed for that arena's later use. The server runs a
//! tokio worker per core and, on SQLite, one thread per pooled connection
//! whose page cache and statements SQLite mallocs in C, so freed memory
//! piles up in a dozen arenas. Under the queue and ingestion loads of
//! `benches/load` a SQLite server peaked at 137 MiB of anonymous memory with
//! glibc's default and at 83 MiB with two arenas, serving as many requests
//! (BENCHMARKS.md). An operator's own `MALLOC_ARENA_MAX` wins.

/// Arenas when the operator has not chosen: one per core on the small
/// machines the desk is sized for, and few enough that freed memory is reused.
const ARENAS: i32 = 2;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn limit() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    // SAFETY: mallopt only sets an allocator parameter, and main calls this
    // before it starts any other thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
    }
}

/// Other allocators need no cap.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn limit() {}
