//! A store's events out and in: the stored records, export to a JSON-lines log and import of one.

use super::{check_signed_log, OpenOptions, UNVERIFIED_THROUGH};
use crate::engine::Engine;
use crate::journal::{self, ChainedWriter, Verified};
use crate::kernel::error::Error;
use crate::store::{self, EventStore, Head, Record};
use std::path::Path;

impl Engine {
    /// At most `limit` events recorded after `after`, oldest first, as stored (durable: the
    /// store's records; in memory: the journal's events, unchained). The host's read of its
    /// own record, as `export` is: scope it before showing it to anyone but the DCC.
    pub fn records(&mut self, after: u64, limit: usize) -> Result<Vec<Record>, Error> {
        match self.durable.as_mut() {
            Some(d) => d.store.read(after, limit, store::READ_BYTES),
            None => Ok(self
                .journal
                .iter()
                .filter(|e| e.seq > after)
                .take(limit)
                .map(|e| Record::of(e, &[0; 32]))
                .collect()),
        }
    }

    /// Writes the whole log (in memory: the journal; durable: the store's records, as stored)
    /// to `path` as chained JSON lines, atomically.
    pub fn export(&mut self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let Some(d) = self.durable.as_mut() else {
            journal::write_jsonl(path, &self.journal)?;
            return Ok(self.journal.len() as u64);
        };
        let store = d.store.as_mut();
        let mut count = 0;
        journal::write_atomically(path.as_ref(), |out, name| {
            let mut chained = ChainedWriter::new(out, name);
            let mut previous = Head::EMPTY;
            loop {
                let records = store.read(previous.seq, 1024, store::READ_BYTES)?;
                if records.is_empty() {
                    break;
                }
                for r in records {
                    // What is exported is what verifies: a broken chain is not copied out.
                    r.check_link(&previous.hash)?;
                    chained.line(r.seq, &r.body, &r.hash)?;
                    previous = Head {
                        seq: r.seq,
                        hash: r.hash,
                    };
                    count += 1;
                }
            }
            chained.close()
        })?;
        Ok(count)
    }

    /// Imports a JSON-lines log (chained or not; a chained one is verified whole) into an
    /// empty store and opens it. Every event is verified as it is replayed.
    pub fn import(
        log: impl AsRef<Path>,
        mut store: Box<dyn EventStore>,
        options: OpenOptions,
    ) -> Result<Engine, Error> {
        let head = store.head()?;
        if head.seq != 0 {
            return Err(Error::invalid_input(
                "store",
                format!(
                    "{} already holds {} events: import into an empty store",
                    store.location(),
                    head.seq
                ),
            ));
        }
        let (events, verified) = journal::read_jsonl_verified(log.as_ref())?;
        let unchained = matches!(verified, Verified::Unchained { .. });
        if unchained && !options.allow_unchained {
            return Err(Error::CorruptLog {
                line: 0,
                reason: format!(
                    "{} has no audit chain, so nothing shows it was not changed: import it with allow_unchained, and the store records its history as imported unverified",
                    log.as_ref().display()
                ),
            });
        }
        // Verified as a replay would (in a signed store, every act), before anything is written.
        let mut check = match &options.trust {
            Some(trust) => Engine::with_trust(trust.clone()),
            None => Engine::new(),
        };
        check_signed_log(store.as_mut(), options.trust.as_ref())?;
        let mut previous = Head::EMPTY.hash;
        let mut batch = Vec::new();
        let mut batch_bytes = 0;
        let mut written = 0;
        let holds = match &options.trust {
            Some(trust) => crate::engine::acts::signatures_hold(trust.log(), &events),
            None => vec![None; events.len()],
        };
        for (event, holds) in events.into_iter().zip(holds) {
            check.apply_presigned(event, holds)?;
            let event = check.journal.pop().expect("just applied");
            let record = Record::of(&event, &previous);
            previous = record.hash;
            batch_bytes += record.body.len();
            batch.push(record);
            if batch_bytes >= store::READ_BYTES || batch.len() >= 4096 {
                store.append(written, &batch)?;
                written += batch.len() as u64;
                batch.clear();
                batch_bytes = 0;
            }
        }
        check.acts_complete()?;
        if !batch.is_empty() {
            store.append(written, &batch)?;
            written += batch.len() as u64;
        }
        if unchained && written > 0 {
            store.set_meta(UNVERIFIED_THROUGH, &written.to_string())?;
        }
        drop(check);
        Engine::open_store(store, options)
    }
}
