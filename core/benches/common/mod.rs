//! What the benchmark binaries share: their numeric arguments, repeated timings and how a
//! figure is written. Each binary uses some of it.
#![allow(dead_code)]

use std::time::Instant;

use commshub_ota::Error;

/// The numbers among the command line's arguments, in order (`cargo bench` adds `--bench`;
/// `1_000_000` reads as a number).
pub fn numbers() -> Vec<usize> {
    std::env::args()
        .skip(1)
        .filter_map(|a| a.replace('_', "").parse().ok())
        .collect()
}

/// The median, minimum and maximum of `times`.
pub fn spread(mut times: Vec<f64>) -> (f64, f64, f64) {
    times.sort_by(f64::total_cmp);
    match times.as_slice() {
        [] => (f64::NAN, f64::NAN, f64::NAN),
        t => (t[t.len() / 2], t[0], t[t.len() - 1]),
    }
}

/// `runs` (at least one) timings of `f(i)` in milliseconds: median, minimum, maximum.
pub fn time_ms(
    runs: usize,
    mut f: impl FnMut(usize) -> Result<(), Error>,
) -> Result<(f64, f64, f64), Error> {
    let mut times = Vec::with_capacity(runs.max(1));
    for i in 0..runs.max(1) {
        let clock = Instant::now();
        f(i)?;
        times.push(clock.elapsed().as_secs_f64() * 1e3);
    }
    Ok(spread(times))
}

/// Milliseconds as a person reads them: `3.21 s`, `48.1 ms`, `25.9 us`.
pub fn fmt_ms(x: f64) -> String {
    if x >= 1000.0 {
        format!("{:.2} s", x / 1e3)
    } else if x >= 1.0 {
        format!("{x:.1} ms")
    } else {
        format!("{:.1} us", x * 1e3)
    }
}
