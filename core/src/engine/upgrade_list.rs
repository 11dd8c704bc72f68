//! Answers the engine keeps between calls, beside its projections: the upgrade list last worked
//! out for each region, so that paging through it at one time works it out once (a page costs
//! its own rows, the whole walk is linear). Not state: never replayed, compared or stored; a
//! list is worked out again when the time asked or the state (its last event) changed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::kernel::error::Error;
use crate::kernel::ids::actor::Actor;
use crate::kernel::ids::Region;
use crate::read::upgrade_list::{check_page_limit, UpgradePage, WholeUpgradeList};

use super::Engine;

/// A whole list and what it was worked out at: (`at`, the state's last event).
type Kept = ((DateTime<Utc>, u64), Arc<WholeUpgradeList>);

/// The last upgrade list worked out for each region. A lock, because queries take `&self` and
/// the bindings answer them from several threads.
#[derive(Default)]
pub(crate) struct KeptLists(Mutex<HashMap<Region, Kept>>);

impl KeptLists {
    fn get(&self, region: Region, key: (DateTime<Utc>, u64)) -> Option<Arc<WholeUpgradeList>> {
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.get(&region)
            .filter(|(k, _)| *k == key)
            .map(|(_, l)| l.clone())
    }

    fn put(&self, region: Region, key: (DateTime<Utc>, u64), list: Arc<WholeUpgradeList>) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.insert(region, (key, list));
    }
}

impl Engine {
    /// [`crate::model::state::State::upgrade_list`], the whole list kept for the next page:
    /// the same answer, and the permission checked on every call before the kept list is read.
    pub fn upgrade_list(
        &self,
        actor: &Actor,
        region: Region,
        at: DateTime<Utc>,
        offset: u64,
        limit: u64,
    ) -> Result<UpgradePage, Error> {
        check_page_limit(limit)?;
        let state = self.state();
        let key = (at, state.last_seq());
        let list = match self.kept_lists.get(region, key) {
            Some(list) => {
                state.upgrade_list_permitted(actor, region)?;
                list
            }
            None => {
                let list = Arc::new(state.whole_upgrade_list(actor, region, at)?);
                self.kept_lists.put(region, key, list.clone());
                list
            }
        };
        Ok(state.upgrade_page(&list, offset, limit))
    }
}
