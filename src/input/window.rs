//! Memory-mapped windows of a file that survive the file shrinking under them.
//!
//! A log is read a window at a time (a few MiB), so resident memory stays flat whatever the
//! file's size: a window is unmapped as soon as its lines are counted. Mapping has one hazard:
//! when another process truncates the file (logrotate's `copytruncate`), touching a mapped
//! page past the new end raises SIGBUS, which kills a process by default.
//!
//! hindsight installs a SIGBUS handler that recognises faults inside its own windows: it maps
//! a page of zeros over the faulting page (so the read that faulted completes) and records the
//! lowest faulting address of the window. The reader then checks [`Window::fault`] after use
//! and keeps only the lines before the fault. A SIGBUS outside every window is not ours: the
//! handler restores the default action and returns, so the fault repeats and ends the process
//! as it would have without the handler.
//!
//! The handler calls `mmap`, which POSIX does not list as async-signal-safe; on Linux it is a
//! plain system call that takes no user-space lock, which is what matters here.

use memmap2::{Mmap, MmapOptions};
use std::fs::File;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

/// Windows that can be live at once. More than the scan ever keeps (a few per thread); when
/// all are taken, the caller reads the bytes with `pread` instead.
const SLOTS: usize = 256;

struct Slot {
    /// Address range of a live window; `start == 0` marks a free slot.
    start: AtomicUsize,
    end: AtomicUsize,
    /// Lowest faulting address in the window, `usize::MAX` when none.
    fault: AtomicUsize,
    /// Claimed by a window (set before `start`, cleared after).
    taken: AtomicUsize,
}

#[allow(clippy::declare_interior_mutable_const)]
const FREE: Slot = Slot {
    start: AtomicUsize::new(0),
    end: AtomicUsize::new(0),
    fault: AtomicUsize::new(usize::MAX),
    taken: AtomicUsize::new(0),
};

static TABLE: [Slot; SLOTS] = [FREE; SLOTS];
static INSTALL: Once = Once::new();

/// A read-only map of `len` bytes of a file from `offset`, guarded against truncation.
pub struct Window {
    map: Mmap,
    slot: usize,
}

impl Window {
    /// Maps `len > 0` bytes from `offset`. `None` when no slot is free or the map fails:
    /// the caller reads the bytes instead.
    pub fn map(file: &File, offset: u64, len: usize) -> Option<Window> {
        if len == 0 {
            return None;
        }
        install();
        let slot = TABLE.iter().position(|s| {
            s.taken
                .compare_exchange(0, 1, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        })?;
        // SAFETY: read-only map of a file we opened. Rust assumes the bytes behind a `&[u8]`
        // do not change; for a log being written that holds for the bytes that already exist
        // (loggers append). The one change that can reach mapped bytes, truncation, is caught:
        // the slot is registered before any byte is touched, and the handler turns the fault
        // into zeros plus a record the reader checks (module docs).
        let map = match unsafe { MmapOptions::new().offset(offset).len(len).map(file) } {
            Ok(m) => m,
            Err(_) => {
                TABLE[slot].taken.store(0, Ordering::Release);
                return None;
            }
        };
        let s = &TABLE[slot];
        let start = map.as_ptr() as usize;
        s.fault.store(usize::MAX, Ordering::Relaxed);
        s.end.store(start + len, Ordering::Relaxed);
        s.start.store(start, Ordering::Release);
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::Sequential);
        Some(Window { map, slot })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.map
    }

    /// Offset in the window of the first byte that was not there when read (the file shrank),
    /// if any. Bytes before it are the file's; bytes from it on read as zeros.
    pub fn fault(&self) -> Option<usize> {
        let f = TABLE[self.slot].fault.load(Ordering::Acquire);
        (f != usize::MAX).then(|| f.saturating_sub(self.map.as_ptr() as usize))
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        let s = &TABLE[self.slot];
        s.start.store(0, Ordering::Release);
        s.end.store(0, Ordering::Release);
        s.taken.store(0, Ordering::Release);
        // `map` is unmapped after this body, once the slot no longer names its addresses.
    }
}

fn install() {
    INSTALL.call_once(|| {
        // SAFETY: a zeroed `sigaction` is a valid starting value; the handler is an
        // `extern "C"` function with the SA_SIGINFO signature.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_SIGINFO;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
        }
    });
}

extern "C" fn on_sigbus(_sig: libc::c_int, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let addr = unsafe { (*info).si_addr() } as usize;
    let page = page_size();
    for s in &TABLE {
        let start = s.start.load(Ordering::Acquire);
        if start == 0 || addr < start || addr >= s.end.load(Ordering::Acquire) {
            continue;
        }
        let at = addr & !(page - 1);
        // SAFETY: `at` is a page inside a live read-only map of ours (the map's pages cover
        // its range); replacing it with zeros only changes what that map reads.
        let zero = unsafe {
            libc::mmap(
                at as *mut libc::c_void,
                page,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        if zero != libc::MAP_FAILED {
            s.fault.fetch_min(addr, Ordering::AcqRel);
            return;
        }
    }
    // Not a window of ours: let the fault kill the process as it would have.
    // SAFETY: resetting a signal's action is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGBUS, libc::SIG_DFL);
    }
}

fn page_size() -> usize {
    static PAGE: AtomicUsize = AtomicUsize::new(0);
    match PAGE.load(Ordering::Relaxed) {
        0 => {
            // SAFETY: sysconf has no preconditions.
            let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
            let p = if p > 0 { p as usize } else { 4096 };
            PAGE.store(p, Ordering::Relaxed);
            p
        }
        p => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_window_reads_the_file() {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(b"hello\nworld\n").unwrap();
        let w = Window::map(&f, 6, 6).unwrap();
        assert_eq!(w.bytes(), b"world\n");
        assert_eq!(w.fault(), None);
    }

    #[test]
    fn truncation_under_a_window_reads_zeros_and_is_recorded() {
        let mut f = tempfile::tempfile().unwrap();
        let page = page_size();
        let text: Vec<u8> = (0..page * 4).map(|i| b'a' + (i % 26) as u8).collect();
        f.write_all(&text).unwrap();
        let w = Window::map(&f, 0, text.len()).unwrap();
        assert_eq!(w.bytes()[0], b'a');
        f.set_len(page as u64 + 10).unwrap();
        // Past the new end: SIGBUS without the handler.
        let tail: Vec<u8> = w.bytes()[page * 2..page * 2 + 8].to_vec();
        assert_eq!(tail, vec![0u8; 8]);
        assert_eq!(w.fault(), Some(page * 2));
        // Before the new end the bytes are the file's.
        assert_eq!(&w.bytes()[..page], &text[..page]);
        drop(w);
        let again = Window::map(&f, 0, page).unwrap();
        assert_eq!(again.fault(), None, "a new window starts clean");
    }
}
