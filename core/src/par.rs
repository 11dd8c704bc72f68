//! A parallel scan over the estate's dense table: the range is cut into one chunk per core
//! and the results joined in order, so the answer is the same as a sequential scan's. Small
//! estates are scanned on the calling thread (spawning costs more than it saves).

use std::ops::Range;

/// Below this many hubs a scan stays on the calling thread.
const PARALLEL_FROM: usize = 200_000;

/// `scan` over `0..len`, in chunks on up to the machine's cores; results in index order.
pub(crate) fn scan<T: Send>(len: usize, scan: impl Fn(Range<usize>) -> Vec<T> + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(16);
    if len < PARALLEL_FROM || threads < 2 {
        return scan(0..len);
    }
    let chunk = len.div_ceil(threads);
    let scan = &scan;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let range = (t * chunk).min(len)..((t + 1) * chunk).min(len);
                s.spawn(move || scan(range))
            })
            .collect();
        let mut out = Vec::new();
        for h in handles {
            // The scans index only within their range and never panic; if one did, that is
            // a bug, reported by re-raising it here rather than answering without its chunk.
            match h.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// `work` on every item, the items shared out between the cores (in contiguous runs) when
/// `size` (the work's measure, e.g. the hubs behind the items) is large enough to pay for it.
pub(crate) fn for_each<T: Send>(items: &mut [T], size: usize, work: impl Fn(&mut T) + Sync) {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(16);
    if size < PARALLEL_FROM || threads < 2 || items.len() < 2 {
        items.iter_mut().for_each(work);
        return;
    }
    let chunk = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks_mut(chunk)
            .map(|run| s.spawn(move || run.iter_mut().for_each(work)))
            .collect();
        for h in handles {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_parallel_scan_answers_as_a_sequential_one() {
        let len = super::PARALLEL_FROM * 2 + 17;
        let odd = super::scan(len, |r| r.filter(|i| i % 3 == 1).collect::<Vec<_>>());
        let expected: Vec<usize> = (0..len).filter(|i| i % 3 == 1).collect();
        assert_eq!(odd, expected);
        assert_eq!(
            super::scan(5, |r| r.collect::<Vec<_>>()),
            vec![0, 1, 2, 3, 4]
        );
    }

    #[test]
    fn for_each_reaches_every_item_once_whether_parallel_or_not() {
        for size in [10, super::PARALLEL_FROM] {
            let mut items: Vec<u64> = (0..1_001).collect();
            super::for_each(&mut items, size, |v| *v = *v * 2 + 1);
            assert!(items
                .iter()
                .enumerate()
                .all(|(i, v)| *v == i as u64 * 2 + 1));
        }
    }
}
