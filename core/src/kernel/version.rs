//! The order of HAN device firmware versions, shared by firmware prerequisites and the rules'
//! `version()` function: so "2.10" comes after "2.9", which string order gets wrong.
//!
//! A version is split into parts at `.`, `-`, `_` and `+`; parts are compared in turn, a part
//! of digits as a number (leading zeros ignored), any other part as text (ASCII, case-
//! insensitive), and a number before text. When one runs out first, it is the smaller
//! ("2.0" < "2.0.1"). Hexadecimal versions are compared as text unless written in parts.

use std::cmp::Ordering;

use crate::kernel::error::Error;

/// The longest version text accepted.
pub const MAX_VERSION_LEN: usize = 64;

/// Checks a version's text: 1 to 64 characters of letters, digits and `. - _ +`, starting with
/// a letter or digit.
pub fn check_version(field: &str, text: &str) -> Result<(), Error> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+');
    if text.is_empty() || text.len() > MAX_VERSION_LEN {
        return Err(Error::invalid_input(
            field,
            format!(
                "a version is 1 to {MAX_VERSION_LEN} characters, got {}",
                text.len()
            ),
        ));
    }
    if !text.starts_with(|c: char| c.is_ascii_alphanumeric()) || !text.chars().all(ok_char) {
        return Err(Error::invalid_input(
            field,
            format!("{text:?} is not a version: letters, digits and . - _ + only, starting with a letter or digit"),
        ));
    }
    Ok(())
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Part<'a> {
    // Declared first: a number sorts before text.
    Number(&'a str),
    Text(String),
}

fn parts(v: &str) -> impl Iterator<Item = Part<'_>> {
    v.split(['.', '-', '_', '+'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                Part::Number(p.trim_start_matches('0'))
            } else {
                Part::Text(p.to_ascii_lowercase())
            }
        })
}

fn cmp_part(a: &Part<'_>, b: &Part<'_>) -> Ordering {
    match (a, b) {
        // Digits without leading zeros: the longer is the larger, then digit by digit.
        (Part::Number(x), Part::Number(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
        _ => a.cmp(b),
    }
}

/// Compares two versions in the order above.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (parts(a), parts(b));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match cmp_part(&x, &y) {
                Ordering::Equal => {}
                other => return other,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn numbers_compare_as_numbers_and_text_as_text() {
        for (a, b, want) in [
            ("2.10", "2.9", Greater),
            ("2.0", "2.0", Equal),
            ("2.0", "2.00", Equal),
            ("02.1", "2.1", Equal),
            ("2.0", "2.0.1", Less),
            ("1.2.3", "1.2-3", Equal),
            ("1.0-rc1", "1.0-rc2", Less),
            ("1.0.5", "1.0.rc", Less),
            ("A1", "a1", Equal),
            ("123456789012345678901234567890", "99", Greater),
        ] {
            assert_eq!(compare_versions(a, b), want, "{a} vs {b}");
            assert_eq!(compare_versions(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn bad_versions_are_refused_naming_the_field() {
        for bad in ["", ".1", "1 2", "1/2", &"9".repeat(65)] {
            let err = check_version("min_firmware", bad).unwrap_err();
            assert!(err.to_string().contains("min_firmware"), "{err}");
        }
        check_version("v", "2.0.1-rc_3+b").unwrap();
    }
}
