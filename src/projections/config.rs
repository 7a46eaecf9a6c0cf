//! The runtime settings in effect (`config`): every `ConfigChanged`, the last value of each
//! setting by name. The roles read the values that can change while the node runs from here
//! (ADR: runtime settings are events); a setting never changed falls back to its flag.
//!
//! Names and value forms (the text the CLI API recorded):
//! - `maxSessions`: a whole number above 0, or `auto` (an O's attached Ts' total capacity).
//! - `transcodingOptions`: a B's ladder for new streams, preset names joined by commas.
//! - `maxPrice`: a B's highest price for new sessions, `<pricePerUnit>/<pixelsPerUnit>` in wei
//!   (`0`: any price).
//! - `price`: an O's default price, `<pricePerUnit>/<pixelsPerUnit>`; `price/0x<address>`: its
//!   price for one B (`/setPriceForBroadcaster`).
//! - `maxFaceValue`, `maxGasPrice`, `minGasPrice`: wei (`0`: none).

use super::Projection;
use crate::events::{Address, Envelope, Event, Price};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `maxSessions`.
pub const MAX_SESSIONS: &str = "maxSessions";
/// `transcodingOptions`.
pub const TRANSCODING_OPTIONS: &str = "transcodingOptions";
/// `maxPrice`.
pub const MAX_PRICE: &str = "maxPrice";
/// `price`.
pub const PRICE: &str = "price";
/// `maxFaceValue`.
pub const MAX_FACE_VALUE: &str = "maxFaceValue";
/// `maxGasPrice`.
pub const MAX_GAS_PRICE: &str = "maxGasPrice";
/// `minGasPrice`.
pub const MIN_GAS_PRICE: &str = "minGasPrice";
/// `logLevel`: the glog `-v` number set by `/setLogLevel` (a record of it: each start begins at
/// its `-v`).
pub const LOG_LEVEL: &str = "logLevel";

/// The name of an O's price for the B at `addr`.
pub fn price_for(addr: &Address) -> String {
    format!("{PRICE}/0x{}", hex::encode(addr.0))
}

/// A price as a setting's text: `<pricePerUnit>/<pixelsPerUnit>`.
pub fn price_text(p: &Price) -> String {
    format!("{}/{}", p.price_per_unit, p.pixels_per_unit)
}

/// A price setting's text read back (`0` is no price).
pub fn parse_price(text: &str) -> Option<Price> {
    let (a, b) = text.split_once('/')?;
    Some(Price {
        price_per_unit: a.parse().ok()?,
        pixels_per_unit: b.parse().ok().filter(|p: &i64| *p > 0)?,
    })
}

/// The settings in effect, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Each setting's last value.
    pub values: BTreeMap<String, String>,
}

impl Settings {
    /// A setting's value, when it was ever set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// `maxSessions`.
    pub fn max_sessions(&self) -> Option<u32> {
        self.get(MAX_SESSIONS)?.parse().ok()
    }

    /// `maxSessions` as set: `Some(None)` for `auto` (an O's attached Ts' total capacity).
    pub fn session_limit(&self) -> Option<Option<u32>> {
        match self.get(MAX_SESSIONS)? {
            "auto" => Some(None),
            n => n.parse().ok().map(Some),
        }
    }

    /// A wei setting (`maxFaceValue`, `maxGasPrice`, `minGasPrice`): `Some(None)` when set to 0.
    pub fn wei(&self, name: &str) -> Option<Option<u128>> {
        let v: u128 = self.get(name)?.parse().ok()?;
        Some((v > 0).then_some(v))
    }

    /// `maxPrice`: `Some(None)` when set to any price.
    pub fn max_price(&self) -> Option<Option<Price>> {
        let v = self.get(MAX_PRICE)?;
        if v == "0" {
            return Some(None);
        }
        parse_price(v).map(|p| (p.price_per_unit > 0).then_some(p))
    }

    /// `price`, an O's default price.
    pub fn price(&self) -> Option<Price> {
        parse_price(self.get(PRICE)?)
    }

    /// Every `price/0x…`: an O's prices for particular Bs.
    pub fn prices(&self) -> BTreeMap<Address, Price> {
        let prefix = format!("{PRICE}/0x");
        self.values
            .iter()
            .filter_map(|(k, v)| {
                let hex_addr = k.strip_prefix(&prefix)?;
                let bytes: [u8; 20] = hex::decode(hex_addr).ok()?.try_into().ok()?;
                Some((Address(bytes), parse_price(v)?))
            })
            .collect()
    }
}

impl Projection for Settings {
    const NAME: &'static str = "config";
    const VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope) {
        if let Event::ConfigChanged(c) = &env.event {
            self.values.insert(c.setting.clone(), c.value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{ConfigChanged, ConfigSource, Hash32};

    fn env(setting: &str, value: &str) -> Envelope {
        Envelope {
            magic: crate::events::MAGIC,
            format_version: crate::events::FORMAT_VERSION,
            seq: 0,
            at_ms: 0,
            prev_hash: Hash32::default(),
            event: Event::ConfigChanged(ConfigChanged {
                setting: setting.into(),
                value: value.into(),
                source: ConfigSource::Api,
            }),
        }
    }

    #[test]
    fn the_last_value_of_each_setting_is_in_effect() {
        let mut s = Settings::default();
        assert_eq!(s.max_sessions(), None);
        s.apply(&env(MAX_SESSIONS, "2"));
        s.apply(&env(MAX_SESSIONS, "1"));
        s.apply(&env(MAX_PRICE, "1000/3"));
        let b = Address([7; 20]);
        s.apply(&env(&price_for(&b), "5/1"));
        s.apply(&env(MAX_GAS_PRICE, "0"));
        assert_eq!(s.max_sessions(), Some(1));
        assert_eq!(
            s.max_price(),
            Some(Some(Price {
                price_per_unit: 1000,
                pixels_per_unit: 3
            }))
        );
        assert_eq!(s.prices().get(&b).map(|p| p.price_per_unit), Some(5));
        assert_eq!(s.wei(MAX_GAS_PRICE), Some(None));
        assert_eq!(s.wei(MIN_GAS_PRICE), None);
        s.apply(&env(MAX_PRICE, "0"));
        assert_eq!(s.max_price(), Some(None));
    }
}
