//! One spare signing buffer per thread.
//!
//! Every signature needs one buffer of a kilobyte or more (the canonical request or
//! string-to-sign, then the `Authorization` value). A dropped [`crate::SigningOutput`] hands its
//! buffer back here and the thread's next signature reuses it, so a thread that signs request
//! after request allocates only when a buffer is still in use elsewhere or too small. For
//! buffers of this size the allocator's slow paths cost about 4% of an RPC v1 signature.
//!
//! A returned buffer is emptied before reuse, and buffers over 64 KiB are freed rather than
//! kept. A buffer that held a security token (RPC v1 and ROA sign it, V3 signs its header) is
//! wiped first, kept or not.
//!
//! The wipe is a plain `fill(0)` the optimiser may not remove (the buffer is passed to
//! [`std::hint::black_box`] afterwards) rather than `zeroize`'s volatile byte-by-byte writes:
//! a memset of a kilobyte costs a few nanoseconds, the volatile loop about half a microsecond,
//! as long as the rest of the signature.

use std::cell::Cell;

/// Buffers larger than this go back to the allocator.
const MAX_KEPT: usize = 64 * 1024;

thread_local! {
    static SPARE: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// An empty buffer: this thread's spare one, or a new (unallocated) one.
pub(crate) fn take() -> Vec<u8> {
    SPARE.try_with(Cell::take).unwrap_or_default()
}

/// Keeps `buffer` as this thread's spare, unless it is too large or the thread is exiting;
/// wipes what it holds first when `secret` (it held a security token).
pub(crate) fn give_back(mut buffer: Vec<u8>, secret: bool) {
    if secret {
        wipe(&mut buffer);
    }
    if buffer.capacity() == 0 || buffer.capacity() > MAX_KEPT {
        return;
    }
    buffer.clear();
    // During thread teardown the slot may be gone: the buffer is then simply freed.
    let _ = SPARE.try_with(|spare| spare.set(buffer));
}

/// Overwrites `bytes` with zeros in a way the optimiser keeps.
fn wipe(bytes: &mut [u8]) {
    bytes.fill(0);
    std::hint::black_box(&*bytes);
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_secret_buffer_is_wiped_before_it_is_kept() {
        let mut buffer = b"SecurityToken%3DCAIS-canary".to_vec();
        super::wipe(&mut buffer);
        assert!(buffer.iter().all(|&b| b == 0));
    }

    #[test]
    fn a_given_back_buffer_is_reused_empty() {
        let mut buffer = super::take();
        buffer.extend_from_slice(b"previous signature");
        let pointer = buffer.as_ptr();
        super::give_back(buffer, false);
        let again = super::take();
        assert!(again.is_empty());
        assert_eq!(again.as_ptr(), pointer);
        assert!(super::take().capacity() == 0, "only one spare is kept");
    }

    #[test]
    fn huge_buffers_are_not_kept() {
        super::give_back(Vec::with_capacity(super::MAX_KEPT + 1), true);
        assert_eq!(super::take().capacity(), 0);
    }
}
