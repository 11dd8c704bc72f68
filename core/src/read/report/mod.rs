//! A party's report: one self-contained HTML page of what the asking party may see (its
//! deployed products and their history, the industry's shares where disclosed, its campaigns'
//! progress and pilot findings, its notices), with inline SVG charts and a data table under
//! each. Built here, in the core, so Rust, Python and the JVM write the same bytes for the same
//! state; no network, no script, no clock (the day is the caller's `at`).
//!
//! - `svg`: the charts (a donut, a 100% stacked area, stacked bars);
//! - `slices`: how a list of hundreds of sets becomes a pie a person reads.

mod slices;
mod svg;

pub use slices::{pie_slices, PieSlice, SliceKind, MAX_SLICES};

use std::fmt::Write;

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::CustomerId;
use crate::model::notices::{Notification, NotificationKind};
use crate::model::participation::PilotVerdict;
use crate::model::state::State;
use crate::read::dpl::{check_range, DplDay};
use crate::read::SharesDay;
use svg::{donut, esc, percent, stacked_area, stacked_bars, Part, OTHER, PALETTE};

/// The most days a report's history covers (a year and a day's margin).
pub const MAX_REPORT_DAYS: i64 = 366;
/// How many groups the history chart shows on their own (the rest as "other").
const HISTORY_BANDS: usize = 7;

const STYLE: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a;background:#fff;margin:0}main{max-width:820px;margin:0 auto;padding:24px}h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-top:1px solid #ddd;padding-top:16px}p.lead{color:#444;margin:0 0 16px}table{border-collapse:collapse;margin:8px 0 4px;font-size:13px;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e4e4}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;color:#444;font-size:13px;padding:4px 0}svg{max-width:100%;height:auto;font-family:system-ui,sans-serif}.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}footer{margin-top:32px;color:#555;font-size:12px}";

/// Whose report: the sentence that says so, and the DPL's `customer` argument.
struct Whose {
    title: String,
    customer: Option<CustomerId>,
}

impl State {
    /// `actor`'s report on GB local day `at`, covering the `days` days up to it (1 to
    /// [`MAX_REPORT_DAYS`]); `notices` are the actor's (the engine's outbox). A customer's
    /// covers its own deployed products, the industry's shares where disclosed, its campaigns
    /// and pilot verdicts; the DCC's the industry's; a CSP's its region's.
    pub fn report(
        &self,
        actor: &Actor,
        at: DateTime<Utc>,
        days: i64,
        notices: &[Notification],
    ) -> Result<String, Error> {
        if !(1..=MAX_REPORT_DAYS).contains(&days) {
            return Err(Error::invalid_input(
                "days",
                format!("{days} is not between 1 and {MAX_REPORT_DAYS}"),
            ));
        }
        let to = crate::kernel::civil_time::day_of(at);
        // Checked: a day at the calendar's edge is refused, not a panic across a binding.
        let from = to
            .checked_sub_days(chrono::Days::new((days - 1) as u64))
            .ok_or_else(|| {
                Error::invalid_input("at", format!("{to} has no {days} days before it"))
            })?;
        check_range(from, to)?;
        let whose = match actor {
            Actor::Customer(c) => Whose {
                title: c.to_string(),
                customer: Some(c.clone()),
            },
            Actor::Dcc => Whose {
                title: "the DCC (the industry)".into(),
                customer: None,
            },
            Actor::Csp(r) => Whose {
                title: format!("the CSP of the {r} region"),
                customer: None,
            },
            Actor::System => {
                return Err(Error::not_permitted(
                    actor,
                    "have a report",
                    "the system acts, it reads nothing",
                ))
            }
        };
        let history = self.dpl_history(actor, whose.customer.as_ref(), from, to)?;
        let shares = self.industry_shares(actor, from, to)?;
        let mut html = String::new();
        let _ = write!(
            html,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Deployed products: {} on {to}</title><style>{STYLE}</style></head><body><main><h1>Deployed products</h1><p class=\"lead\">The report of {} on {to} (GB local day), over the {days} days from {from}.</p>",
            esc(&whose.title),
            esc(&whose.title)
        );
        self.today_section(&mut html, &history, to);
        history_section(&mut html, &history);
        self.shares_section(&mut html, actor, &history, &shares, to);
        self.campaigns_section(&mut html, actor, at);
        self.evidence_section(&mut html, actor, whose.customer.as_ref());
        notices_section(&mut html, notices);
        let _ = writeln!(
            html,
            "<footer>Made by commshub-ota {} from the shared record; the same bytes in Rust, Python and the JVM for the same state. Industry shares follow the disclosure rules of docs/deployed-products.md.</footer></main></body></html>",
            env!("CARGO_PKG_VERSION")
        );
        Ok(html)
    }

    /// The list on the last day: a donut of a few slices and its table.
    fn today_section(&self, html: &mut String, history: &[DplDay], to: NaiveDate) {
        let today = history.last().map(|d| d.sets.as_slice()).unwrap_or(&[]);
        let total: i64 = today.iter().map(|e| e.hubs).sum();
        let _ = write!(
            html,
            "<h2>Deployed products on {to}</h2><p>{} hubs on {} configuration sets.</p>",
            int(total),
            int(today.len() as i64)
        );
        if today.is_empty() {
            return;
        }
        let slices = pie_slices(today);
        let parts: Vec<Part<'_>> = slices
            .iter()
            .enumerate()
            .map(|(i, s)| Part {
                label: &s.label,
                colour: colour(i, s.kind == SliceKind::Other),
                value: s.hubs as f64,
            })
            .collect();
        html.push_str(&donut(&format!("Deployed products on {to}"), &parts));
        html.push_str("<table><caption>The chart's slices</caption><thead><tr><th>slice</th><th class=\"n\">sets</th><th class=\"n\">hubs</th><th class=\"n\">share</th></tr></thead><tbody>");
        for (s, p) in slices.iter().zip(&parts) {
            let _ = write!(
                html,
                "<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                p.colour,
                esc(&s.label),
                int(s.sets),
                int(s.hubs),
                percent(s.hubs as f64, total as f64)
            );
        }
        html.push_str("</tbody></table>");
    }

    /// The industry's shares on the variants the asker runs (all, for the DCC and a CSP's
    /// region's): the last day's table and, for the largest variant, the shares over time.
    fn shares_section(
        &self,
        html: &mut String,
        actor: &Actor,
        history: &[DplDay],
        shares: &[SharesDay],
        to: NaiveDate,
    ) {
        html.push_str("<h2>Industry trends</h2>");
        let mine: Vec<&str> = {
            let mut v: Vec<(&str, i64)> = Vec::new();
            for e in history.last().map(|d| d.sets.as_slice()).unwrap_or(&[]) {
                match v
                    .iter_mut()
                    .find(|(id, _)| *id == e.configuration_set.variant.as_str())
                {
                    Some(x) => x.1 += e.hubs,
                    None => v.push((e.configuration_set.variant.as_str(), e.hubs)),
                }
            }
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            v.into_iter().map(|(id, _)| id).collect()
        };
        let last = shares.last();
        let shown: Vec<_> = last
            .map(|d| {
                d.variants
                    .iter()
                    .filter(|v| {
                        mine.contains(&v.variant.as_str()) || !matches!(actor, Actor::Customer(_))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if shown.is_empty() {
            html.push_str("<p>No industry share can be shown for your variants yet: a share is shown only for configuration sets held by at least 3 suppliers with at least 1,000 hubs, where no supplier dominates (docs/deployed-products.md).</p>");
            return;
        }
        html.push_str("<p>Each configuration set's share of its variant's hubs across the industry, as disclosure control allows (shares only, rounded to half a point; sets that cannot be shown on their own are in \u{201c}other\u{201d}).</p>");
        // The variant whose shares moved most over the period (the asker's largest on a tie).
        let moved = |variant: &str| -> i32 {
            let of = |d: &SharesDay| {
                d.variants
                    .iter()
                    .find(|x| x.variant.as_str() == variant)
                    .map(|x| (x.sets.clone(), x.other_bp.unwrap_or(0)))
            };
            match (shares.iter().find_map(of), shares.last().and_then(of)) {
                (Some((before, _)), Some((after, _))) => after
                    .iter()
                    .map(|s| {
                        let was = before
                            .iter()
                            .find(|x| x.label == s.label)
                            .map_or(0, |x| x.share_bp);
                        (s.share_bp - was).abs()
                    })
                    .sum(),
                _ => 0,
            }
        };
        let mut ranked = shown.clone();
        ranked.sort_by_key(|v| {
            let rank = mine
                .iter()
                .position(|m| *m == v.variant.as_str())
                .unwrap_or(usize::MAX);
            (std::cmp::Reverse(moved(v.variant.as_str())), rank)
        });
        if let Some(v) = ranked.first() {
            let variant = v.variant.as_str();
            // From the first day its shares were shown.
            let start = shares
                .iter()
                .position(|d| d.variants.iter().any(|x| x.variant.as_str() == variant))
                .unwrap_or(0);
            let shares = &shares[start..];
            let mut labels: Vec<&str> = v.sets.iter().map(|s| s.label.as_str()).collect();
            labels.truncate(PALETTE.len() - 1);
            let days: Vec<String> = shares.iter().map(|d| d.day.to_string()).collect();
            let mut bands: Vec<(Part<'_>, Vec<f64>)> = labels
                .iter()
                .enumerate()
                .map(|(i, &label)| {
                    let values = shares
                        .iter()
                        .map(|d| {
                            d.variants
                                .iter()
                                .find(|x| x.variant.as_str() == variant)
                                .and_then(|x| x.sets.iter().find(|s| s.label == label))
                                .map_or(0.0, |s| f64::from(s.share_bp))
                        })
                        .collect();
                    (
                        Part {
                            label,
                            colour: colour(i, false),
                            value: 0.0,
                        },
                        values,
                    )
                })
                .collect();
            let other: Vec<f64> = shares
                .iter()
                .zip(0..)
                .map(|(d, i)| {
                    let Some(x) = d.variants.iter().find(|x| x.variant.as_str() == variant) else {
                        return 0.0;
                    };
                    let named: f64 = bands.iter().map(|(_, v)| v[i]).sum();
                    (x.sets.iter().map(|s| f64::from(s.share_bp)).sum::<f64>()
                        + f64::from(x.other_bp.unwrap_or(0)))
                        - named
                })
                .collect();
            bands.push((
                Part {
                    label: "other",
                    colour: OTHER,
                    value: 0.0,
                },
                other,
            ));
            html.push_str(&stacked_area(
                &format!("Industry shares of {variant} over time"),
                &days,
                &bands,
            ));
        }
        let _ = write!(
            html,
            "<table><caption>Industry shares on {to}</caption><thead><tr><th>variant</th><th>configuration set</th><th class=\"n\">share</th><th>as of</th></tr></thead><tbody>"
        );
        for v in &shown {
            let rows = v
                .sets
                .iter()
                .map(|s| (s.label.as_str(), s.share_bp))
                .chain(v.other_bp.map(|bp| ("other", bp)));
            for (label, bp) in rows {
                let _ = write!(
                    html,
                    "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                    esc(v.variant.as_str()),
                    esc(label),
                    percent(f64::from(bp), 10_000.0),
                    v.as_of
                );
            }
        }
        html.push_str("</tbody></table>");
    }

    /// Each campaign the asker may see: where its hubs stand (bars and a table), its phase and,
    /// for a customer, its own pilot verdict.
    fn campaigns_section(&self, html: &mut String, actor: &Actor, at: DateTime<Utc>) {
        html.push_str("<h2>Campaigns</h2>");
        let campaigns = self.campaigns(actor);
        if campaigns.is_empty() {
            html.push_str("<p>No campaign.</p>");
            return;
        }
        const KINDS: [(&str, &str); 5] = [
            ("succeeded", "#009E73"),
            ("failed", "#D55E00"),
            ("in flight", "#56B4E9"),
            ("upgradeable", "#0072B2"),
            ("waiting", "#E69F00"),
        ];
        let mut rows = Vec::new();
        let mut table = String::new();
        for c in &campaigns {
            let Ok(progress) = self.campaign_progress(actor, &c.id, at) else {
                continue;
            };
            let sum =
                |f: fn(&crate::read::SetProgress) -> i64| -> i64 { progress.iter().map(f).sum() };
            let figures = [
                sum(|p| p.succeeded),
                sum(|p| p.failed),
                sum(|p| p.dispatched),
                sum(|p| p.upgradeable_now),
                sum(|p| p.awaiting_consent + p.blocked),
            ];
            let verdict = match actor {
                Actor::Customer(me) => self
                    .participation(actor, &c.id, me, at)
                    .ok()
                    .and_then(|p| p.verdict)
                    .map_or("none yet".to_string(), |v| match v {
                        PilotVerdict::Success => "success".into(),
                        PilotVerdict::IssuesFound { text } => format!("issues found: {text}"),
                    }),
                _ => String::new(),
            };
            let _ = write!(
                table,
                "<tr><td>{}</td><td>{} to {}</td><td>{}</td>{}{}</tr>",
                esc(c.id.as_str()),
                esc(c.variant.as_str()),
                esc(&c.target.to_string()),
                phase_words(c.phase),
                figures
                    .iter()
                    .map(|f| format!("<td class=\"n\">{}</td>", int(*f)))
                    .collect::<String>(),
                if matches!(actor, Actor::Customer(_)) {
                    format!("<td>{}</td>", esc(&verdict))
                } else {
                    String::new()
                }
            );
            rows.push((
                c.id.to_string(),
                figures.iter().map(|&f| f as f64).collect(),
            ));
        }
        html.push_str(&stacked_bars("Campaign progress", &rows, &KINDS));
        let _ = write!(
            html,
            "<table><caption>Where each campaign's hubs stand (waiting: for consent, or held back)</caption><thead><tr><th>campaign</th><th>upgrade</th><th>phase</th>{}{}</tr></thead><tbody>{table}</tbody></table>",
            KINDS
                .iter()
                .map(|k| format!("<th class=\"n\">{}</th>", k.0))
                .collect::<String>(),
            if matches!(actor, Actor::Customer(_)) {
                "<th>your pilot verdict</th>"
            } else {
                ""
            }
        );
    }
}

impl State {
    /// The evidence to retire the pilot: per campaign whose mass rollout began, the sets where
    /// mass rollout met problems, by whether the pilot caught them, as bars; and each phase's
    /// failure rate in a table.
    fn evidence_section(&self, html: &mut String, actor: &Actor, customer: Option<&CustomerId>) {
        html.push_str("<h2>What the pilots found</h2>");
        let Ok(evidence) = self.retirement_evidence(actor, customer) else {
            return;
        };
        let campaigns: Vec<_> = evidence
            .campaigns
            .iter()
            .filter(|c| c.rollout_started.is_some())
            .collect();
        if campaigns.is_empty() {
            html.push_str("<p>No campaign has reached mass rollout yet.</p>");
            return;
        }
        const KINDS: [(&str, &str); 4] = [
            ("caught by the pilot", "#009E73"),
            ("missed by the pilot", "#D55E00"),
            ("not in the pilot", "#E69F00"),
            ("no problem", "#56B4E9"),
        ];
        let rows: Vec<(String, Vec<f64>)> = campaigns
            .iter()
            .map(|c| {
                (
                    c.campaign.to_string(),
                    [c.caught, c.missed, c.untested, c.clean]
                        .iter()
                        .map(|&n| n as f64)
                        .collect(),
                )
            })
            .collect();
        html.push_str(&stacked_bars(
            "Configuration sets by what mass rollout met and whether the pilot saw it first",
            &rows,
            &KINDS,
        ));
        let rate = |f: &crate::read::PhaseFigures| {
            if f.hubs == 0 {
                "-".to_string()
            } else {
                percent(f.problems() as f64, f.hubs as f64)
            }
        };
        let mut table = String::new();
        for c in &campaigns {
            let _ = write!(
                table,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(c.campaign.as_str()),
                int(c.pilot.hubs),
                rate(&c.pilot),
                int(c.rollout.hubs),
                rate(&c.rollout),
                int(c.caught),
                int(c.missed),
                int(c.untested),
            );
        }
        let _ = write!(
            html,
            "<table><caption>Pilot against mass rollout (problems: failed upgrades and bad HAN reports; by hub, its last attempt). Over every campaign: {} sets caught, {} missed, {} not in the pilot.</caption><thead><tr><th>campaign</th><th class=\"n\">pilot hubs</th><th class=\"n\">pilot problems</th><th class=\"n\">rollout hubs</th><th class=\"n\">rollout problems</th><th class=\"n\">caught</th><th class=\"n\">missed</th><th class=\"n\">not in the pilot</th></tr></thead><tbody>{table}</tbody></table>",
            int(evidence.caught),
            int(evidence.missed),
            int(evidence.untested),
        );
    }
}

/// The history as a 100% stacked area of groups of sets: by variant and hub firmware for the
/// variants whose hubs moved between versions (an upgrade shows), by variant for the rest; the
/// largest [`HISTORY_BANDS`] and "other"; with a table of each on the first and last day.
fn history_section(html: &mut String, history: &[DplDay]) {
    html.push_str("<h2>Over time</h2>");
    // From the first day with hubs: the days before would be an empty plot.
    let start = history
        .iter()
        .position(|d| !d.sets.is_empty())
        .unwrap_or(history.len());
    let history = &history[start..];
    let (Some(first), Some(last)) = (history.first(), history.last()) else {
        html.push_str("<p>No hubs in this period.</p>");
        return;
    };
    let variant_of =
        |e: &crate::read::DplEntry| e.configuration_set.variant.as_str().replace('-', " ");
    let fine =
        |e: &crate::read::DplEntry| format!("{} {}", variant_of(e), e.configuration_set.firmware);
    // The variants whose hubs moved between hub firmware versions (most first): shown by
    // firmware, so the upgrade shows; every other variant as one band.
    let sum_by = |d: &DplDay, key: &dyn Fn(&crate::read::DplEntry) -> String| {
        let mut m: std::collections::BTreeMap<String, i64> = Default::default();
        for e in &d.sets {
            *m.entry(key(e)).or_default() += e.hubs;
        }
        m
    };
    let (fa, fb) = (sum_by(first, &fine), sum_by(last, &fine));
    let mut moved: std::collections::BTreeMap<String, (i64, usize)> = Default::default();
    for k in fa.keys().chain(fb.keys()) {
        let delta = fb.get(k).copied().unwrap_or(0) - fa.get(k).copied().unwrap_or(0);
        if let Some((variant, _)) = k.rsplit_once(' ') {
            let m = moved.entry(variant.to_string()).or_default();
            m.0 += delta.abs();
            m.1 += 1;
        }
    }
    let mut movers: Vec<(String, i64, usize)> = moved
        .into_iter()
        .filter(|(_, (d, _))| *d > 0)
        .map(|(v, (d, n))| (v, d, n / 2 + n % 2))
        .collect();
    movers.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let mut by_firmware: Vec<String> = Vec::new();
    let mut bands_used = 0;
    for (v, _, n) in movers {
        if by_firmware.is_empty() || bands_used + n <= HISTORY_BANDS / 2 + 1 {
            bands_used += n;
            by_firmware.push(v);
        }
    }
    let key = |e: &crate::read::DplEntry| {
        let v = variant_of(e);
        if by_firmware.contains(&v) {
            fine(e)
        } else {
            v
        }
    };
    let mut groups: Vec<String> = history
        .iter()
        .flat_map(|d| d.sets.iter().map(key))
        .collect();
    groups.sort_unstable();
    groups.dedup();
    let per_group = |d: &DplDay| -> Vec<i64> {
        let mut v = vec![0i64; groups.len()];
        for e in &d.sets {
            if let Ok(i) = groups.binary_search(&key(e)) {
                v[i] += e.hubs;
            }
        }
        v
    };
    let (a, b) = (per_group(first), per_group(last));
    // At most HISTORY_BANDS and "other"; all of them when one more would only be "other".
    let mut order: Vec<usize> = (0..groups.len()).collect();
    // Groups that moved first (the upgrade is the story), then by size.
    order.sort_by(|&x, &y| {
        (b[y] != a[y])
            .cmp(&(b[x] != a[x]))
            .then(b[y].max(a[y]).cmp(&b[x].max(a[x])))
            .then(x.cmp(&y))
    });
    let room = if groups.len() <= HISTORY_BANDS + 1 {
        groups.len()
    } else {
        HISTORY_BANDS
    };
    let mut shown: Vec<usize> = order.into_iter().take(room).collect();
    shown.sort_by(|&x, &y| groups[x].cmp(&groups[y]));
    let values: Vec<Vec<i64>> = history.iter().map(per_group).collect();
    let rest = |v: &[i64]| -> i64 {
        (0..groups.len())
            .filter(|g| !shown.contains(g))
            .map(|g| v[g])
            .sum()
    };
    let has_rest = values.iter().any(|v| rest(v) != 0);
    let labels: Vec<String> = shown.iter().map(|&g| groups[g].clone()).collect();
    let mut bands: Vec<(Part<'_>, Vec<f64>)> = shown
        .iter()
        .zip(&labels)
        .enumerate()
        .map(|(i, (&g, label))| {
            (
                Part {
                    label,
                    colour: colour(i, false),
                    value: 0.0,
                },
                values.iter().map(|v| v[g] as f64).collect(),
            )
        })
        .collect();
    if has_rest {
        bands.push((
            Part {
                label: "other",
                colour: OTHER,
                value: 0.0,
            },
            values.iter().map(|v| rest(v) as f64).collect(),
        ));
    }
    let days: Vec<String> = history.iter().map(|d| d.day.to_string()).collect();
    html.push_str(&stacked_area("Deployed products over time", &days, &bands));
    let _ = write!(
        html,
        "<table><caption>Hubs on {} and on {}, by variant (and hub firmware where hubs moved between versions)</caption><thead><tr><th>variant</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">change</th></tr></thead><tbody>",
        first.day, last.day, first.day, last.day
    );
    let mut rows: Vec<(&str, i64, i64)> = shown
        .iter()
        .map(|&g| (groups[g].as_str(), a[g], b[g]))
        .collect();
    if has_rest {
        rows.push(("other", rest(&a), rest(&b)));
    }
    for (label, x, y) in rows {
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}{}</td></tr>",
            esc(label),
            int(x),
            int(y),
            if y >= x { "+" } else { "\u{2212}" },
            int((y - x).abs())
        );
    }
    html.push_str("</tbody></table>");
}

/// A count with thousands separated (`64,899`).
fn int(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The asker's notices, newest first (at most 50).
fn notices_section(html: &mut String, notices: &[Notification]) {
    html.push_str("<h2>Notices</h2>");
    if notices.is_empty() {
        html.push_str("<p>No notice waiting.</p>");
        return;
    }
    let _ = write!(
        html,
        "<table><caption>{} waiting (newest first{})</caption><thead><tr><th>when</th><th>notice</th></tr></thead><tbody>",
        if notices.len() == 1 {
            "1 notice".to_string()
        } else {
            format!("{} notices", notices.len())
        },
        if notices.len() > 50 { "; the latest 50" } else { "" }
    );
    for n in notices.iter().rev().take(50) {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td></tr>",
            n.at.format("%Y-%m-%d %H:%M"),
            esc(&sentence(&n.kind))
        );
    }
    html.push_str("</tbody></table>");
}

fn colour(i: usize, other: bool) -> &'static str {
    if other {
        OTHER
    } else {
        PALETTE[i % (PALETTE.len() - 1)]
    }
}

fn phase_words(p: crate::kernel::phase::Phase) -> &'static str {
    use crate::kernel::phase::Phase::*;
    match p {
        Draft => "draft",
        Pilot => "pilot",
        MassRollout => "mass rollout",
        Completed => "completed",
        Suspended => "suspended",
        Cancelled => "cancelled",
    }
}

/// A notice in words.
fn sentence(kind: &NotificationKind) -> String {
    use NotificationKind as K;
    match kind {
        K::RuleActed {
            rule,
            act,
            hub_count,
            ..
        } => format!(
            "Your rule \u{201c}{}\u{201d} acted ({act}) on {hub_count} hubs.",
            rule.rule
        ),
        K::RuleNotice { set, text } => format!("{} (set {}).", text, set.label()),
        K::PhaseChanged { campaign, to, .. } => {
            format!("Campaign {campaign} moved to {}.", phase_words(*to))
        }
        K::OtherSupplierConsented { campaign, hubs } => format!(
            "The other supplier consented for {} of your shared hubs in {campaign}.",
            hubs.len()
        ),
        K::ConfigurationSetHalted {
            campaign,
            set,
            reason,
            ..
        } => format!("Campaign {campaign}: set {} halted: {reason}.", set.label()),
        K::ConfigurationSetResumed { campaign, set } => {
            format!("Campaign {campaign}: set {} resumed.", set.label())
        }
        K::CutoffApproaching { campaign, cutoff } => {
            format!(
                "Campaign {campaign}: your cut-off is {}.",
                cutoff.format("%Y-%m-%d")
            )
        }
        K::CutoffExtended { campaign, cutoff } => format!(
            "Campaign {campaign}: your cut-off was extended to {}.",
            cutoff.format("%Y-%m-%d")
        ),
        K::CutoffReached { campaign, .. } => format!("Campaign {campaign}: your cut-off passed."),
        K::PilotVerdict {
            campaign, verdict, ..
        } => format!(
            "Campaign {campaign}: a pilot verdict: {}.",
            match verdict {
                PilotVerdict::Success => "success".to_string(),
                PilotVerdict::IssuesFound { text } => format!("issues found ({text})"),
            }
        ),
        K::OutcomesSummary {
            campaign,
            succeeded,
            failed,
            ..
        } => format!("Campaign {campaign}: {succeeded} upgrades succeeded, {failed} failed."),
        K::PartyNotice {
            sender,
            title,
            text,
            ..
        } => format!(
            "From {}: {title}: {text}",
            match sender {
                crate::kernel::ids::actor::Actor::Csp(r) => format!("the CSP ({r})"),
                _ => "the DCC".to_string(),
            }
        ),
        K::DefectFlagClosed {
            flag,
            closure,
            note,
            ..
        } => match note {
            Some(n) => format!("Defect flag {flag} was {}: {n}.", closure.as_str()),
            None => format!("Defect flag {flag} was {}.", closure.as_str()),
        },
        K::CspPause {
            campaign,
            paused,
            set,
            reason,
        } => {
            let what = match set {
                Some(s) => format!("dispatches of set {}", s.label()),
                None => "its dispatches".to_string(),
            };
            match (paused, reason) {
                (true, Some(r)) => format!("Campaign {campaign}: the CSP paused {what}: {r}."),
                (true, None) => format!("Campaign {campaign}: the CSP paused {what}."),
                (false, _) => format!("Campaign {campaign}: the CSP resumed {what}."),
            }
        }
        K::PolicyChanged {
            campaign,
            changed,
            reason,
        } => format!(
            "Campaign {campaign}: the DCC changed its policy ({}): {reason}.",
            changed.join(", ")
        ),
        K::PilotPacingSet { campaign, pacing } => {
            let mut parts = Vec::new();
            if let Some(cap) = pacing.daily_cap {
                parts.push(format!("at most {cap} hubs a day"));
            }
            if let Some(w) = pacing.window {
                parts.push(format!("from {:02}:00 to {:02}:00", w.from_hour, w.to_hour));
            }
            if parts.is_empty() {
                format!("Campaign {campaign}: the CSP paces its pilot by the policy alone.")
            } else {
                format!(
                    "Campaign {campaign}: the CSP dispatches its pilot {}.",
                    parts.join(", ")
                )
            }
        }
        K::IndustryTrend { trend } => format!(
            "The industry is leaving set {}: {} to {} of {}'s hubs from {} to {}, while {} rose to {}.",
            trend.leaving.label,
            percent(f64::from(trend.leaving.from_bp), 10_000.0),
            percent(f64::from(trend.leaving.to_bp), 10_000.0),
            trend.variant,
            trend.from,
            trend.to,
            trend.rising.label,
            percent(f64::from(trend.rising.to_bp), 10_000.0),
        ),
        other => {
            // The rest by their kind's name, as the feed names them.
            let name = serde_json::to_value(other)
                .ok()
                .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
                .unwrap_or_default();
            format!("{}.", name.replace('_', " "))
        }
    }
}
