//! A parallel scan over the estate's dense table, on rayon's pool: the range is cut into one
//! chunk per core and the results joined in order, so the answer is the same as a sequential
//! scan's. Small estates are scanned on the calling thread (sharing out costs more than it
//! saves). rayon replaced a hand-written pool of scoped threads: no slower on the national
//! benchmarks (docs/benchmarks.md, "Parallel scans: rayon"), and its pool is warm rather than spawned per call.

use std::ops::Range;

use rayon::prelude::*;

/// Below this many hubs a scan stays on the calling thread.
const PARALLEL_FROM: usize = 200_000;

/// `scan` over `0..len`, in chunks on up to the pool's threads; results in index order.
pub(crate) fn scan<T: Send>(len: usize, scan: impl Fn(Range<usize>) -> Vec<T> + Sync) -> Vec<T> {
    let threads = rayon::current_num_threads().min(16);
    if len < PARALLEL_FROM || threads < 2 {
        return scan(0..len);
    }
    let chunk = len.div_ceil(threads);
    // A scan indexes only within its range and never panics; if one did, rayon re-raises it
    // here rather than answering without its chunk.
    let parts: Vec<Vec<T>> = (0..threads)
        .into_par_iter()
        .map(|t| scan((t * chunk).min(len)..((t + 1) * chunk).min(len)))
        .collect();
    let mut out = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        out.extend(part);
    }
    out
}

/// `work` on every item, the items shared out between the pool's threads when `size` (the
/// work's measure, e.g. the hubs behind the items) is large enough to pay for it.
pub(crate) fn for_each<T: Send>(items: &mut [T], size: usize, work: impl Fn(&mut T) + Sync) {
    if size < PARALLEL_FROM || rayon::current_num_threads() < 2 || items.len() < 2 {
        items.iter_mut().for_each(work);
        return;
    }
    items.par_iter_mut().for_each(&work);
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
