//! The settings that can change while the node runs (ADR 0016): their flag values
//! ([`Defaults`]), the values in effect (the `config` projection's, else the flags'), and at
//! start the explicit flags that win again.
//!
//! A setting changed through the CLI API is a `ConfigChanged` event, so it survives a restart.
//! At start, a flag given explicitly on the command line whose value differs from the one the
//! projection holds is appended as `ConfigChanged { source: Flag }`: the operator's explicit
//! word wins again, and the log says so. A setting whose flag was not given keeps the runtime
//! value across restarts.

use super::max_sessions::MaxSessions;
use super::writer::Writer;
use crate::api::cli::Effective;
use crate::events::{ConfigChanged, ConfigSource, Event, Price};
use crate::log::LogStore;
use crate::projections::config::{self as names, price_for, price_text, Settings};
use std::collections::BTreeMap;

/// The runtime settings' flag values.
#[derive(Clone, Debug, Default)]
pub struct Defaults {
    /// `-maxSessions`.
    pub max_sessions: MaxSessions,
    /// `-transcodingOptions`, as its profiles' names joined by commas.
    pub transcoding_options: String,
    /// `-maxPricePerUnit` / `-pixelsPerUnit`.
    pub max_price: Option<Price>,
    /// `-pricePerUnit` / `-pixelsPerUnit`.
    pub price: Price,
    /// `-pricePerGateway`.
    pub prices: BTreeMap<crate::events::Address, Price>,
    /// `-maxFaceValue`.
    pub max_face_value: Option<u128>,
    /// `-maxGasPrice`.
    pub max_gas_price: Option<u128>,
    /// `-minGasPrice`.
    pub min_gas_price: Option<u128>,
}

fn nonzero(v: u128) -> Option<u128> {
    (v > 0).then_some(v)
}

impl Defaults {
    /// The flags' values.
    pub fn from_args(args: &super::args::NodeArgs) -> Result<Defaults, String> {
        let px = args.pixels_per_unit.max(1);
        let max = super::args::wei_price("-maxPricePerUnit", &args.max_price_per_unit)?;
        let options = crate::media::profile::parse_transcoding_options(&args.transcoding_options)
            .map(|ps| {
                ps.iter()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_else(|_| args.transcoding_options.clone());
        Ok(Defaults {
            max_sessions: args.max_sessions,
            transcoding_options: options,
            max_price: (max > 0).then_some(Price {
                price_per_unit: max,
                pixels_per_unit: px,
            }),
            price: Price {
                price_per_unit: super::args::wei_price("-pricePerUnit", &args.price_per_unit)?,
                pixels_per_unit: px,
            },
            prices: match &args.price_per_gateway {
                Some(a) => super::args::gateway_prices(a)?,
                None => BTreeMap::new(),
            },
            max_face_value: nonzero(args.max_face_value),
            max_gas_price: nonzero(args.max_gas_price),
            min_gas_price: nonzero(args.min_gas_price),
        })
    }

    /// The values in effect under `s`.
    pub fn effective(&self, s: &Settings) -> Effective {
        let mut prices = self.prices.clone();
        prices.extend(s.prices());
        Effective {
            // `auto` (0 here): the O admits by its Ts' capacity (`service.rs`).
            max_sessions: match s.session_limit() {
                Some(v) => v.unwrap_or(0),
                None => match self.max_sessions {
                    MaxSessions::Limit(n) => n,
                    MaxSessions::Auto => 0,
                },
            },
            transcoding_options: s
                .get(names::TRANSCODING_OPTIONS)
                .map_or_else(|| self.transcoding_options.clone(), str::to_string),
            max_price: s.max_price().unwrap_or(self.max_price),
            price: s.price().unwrap_or(self.price),
            prices,
            max_face_value: s.wei(names::MAX_FACE_VALUE).unwrap_or(self.max_face_value),
            max_gas_price: s.wei(names::MAX_GAS_PRICE).unwrap_or(self.max_gas_price),
            min_gas_price: s.wei(names::MIN_GAS_PRICE).unwrap_or(self.min_gas_price),
        }
    }

    /// Each explicit flag's setting and value (`explicit` holds the flags' clap ids).
    fn explicit(&self, explicit: &std::collections::BTreeSet<String>) -> Vec<(String, String)> {
        let given = |id: &str| explicit.contains(id);
        let wei = |v: Option<u128>| v.unwrap_or(0).to_string();
        let mut out = Vec::new();
        if given("max_sessions") {
            out.push((names::MAX_SESSIONS.into(), self.max_sessions.to_string()));
        }
        if given("transcoding_options") {
            out.push((
                names::TRANSCODING_OPTIONS.into(),
                self.transcoding_options.clone(),
            ));
        }
        if given("max_price_per_unit") {
            let v = self.max_price.as_ref().map_or("0".into(), price_text);
            out.push((names::MAX_PRICE.into(), v));
        }
        if given("price_per_unit") {
            out.push((names::PRICE.into(), price_text(&self.price)));
        }
        if given("price_per_gateway") {
            for (a, p) in &self.prices {
                out.push((price_for(a), price_text(p)));
            }
        }
        if given("max_face_value") {
            out.push((names::MAX_FACE_VALUE.into(), wei(self.max_face_value)));
        }
        if given("max_gas_price") {
            out.push((names::MAX_GAS_PRICE.into(), wei(self.max_gas_price)));
        }
        if given("min_gas_price") {
            out.push((names::MIN_GAS_PRICE.into(), wei(self.min_gas_price)));
        }
        out
    }

    /// The `ConfigChanged { source: Flag }` events of the explicit flags whose value differs
    /// from a runtime value the projection holds (a setting never changed at runtime needs
    /// none: its flag is in effect).
    pub fn flag_changes(
        &self,
        explicit: &std::collections::BTreeSet<String>,
        s: &Settings,
    ) -> Vec<Event> {
        self.explicit(explicit)
            .into_iter()
            .filter(|(k, v)| s.get(k).is_some_and(|held| held != v))
            .map(|(setting, value)| {
                Event::ConfigChanged(ConfigChanged {
                    setting,
                    value,
                    source: ConfigSource::Flag,
                })
            })
            .collect()
    }
}

/// Records the explicit flags that win again over the runtime values (see the module doc).
pub async fn apply_flags<S: LogStore>(
    writer: &Writer<S>,
    defaults: &Defaults,
    args: &super::args::NodeArgs,
) -> Result<(), super::NodeError> {
    let events = writer.read(|p| defaults.flag_changes(&args.explicit, &p.config.state));
    if events.is_empty() {
        return Ok(());
    }
    for e in &events {
        if let Event::ConfigChanged(c) = e {
            println!(
                "Setting {} = {} (an explicit flag wins over the runtime value)",
                c.setting, c.value
            );
        }
    }
    writer
        .append(super::clock::now_ms(), events)
        .await
        .map_err(|e| format!("recording the explicit flags: {e}"))?;
    Ok(())
}

/// Records `setting` = `value` from the CLI API.
pub async fn set_from_api<S: LogStore>(
    writer: &Writer<S>,
    setting: &str,
    value: String,
) -> Result<(), String> {
    tracing::info!("{setting} set to {value} (CLI API)");
    let e = Event::ConfigChanged(ConfigChanged {
        setting: setting.into(),
        value,
        source: ConfigSource::Api,
    });
    writer
        .append(super::clock::now_ms(), vec![e])
        .await
        .map(|_| ())
        .map_err(|e| format!("recording the setting: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_flag_wins_only_over_a_different_runtime_value() {
        let d = Defaults {
            max_sessions: MaxSessions::Limit(3),
            ..Defaults::default()
        };
        let mut s = Settings::default();
        let explicit: std::collections::BTreeSet<String> = ["max_sessions".to_string()].into();
        assert!(
            d.flag_changes(&explicit, &s).is_empty(),
            "nothing to override"
        );
        s.values.insert(names::MAX_SESSIONS.into(), "1".into());
        assert_eq!(d.effective(&s).max_sessions, 1, "the runtime value");
        let e = d.flag_changes(&explicit, &s);
        assert_eq!(e.len(), 1);
        assert!(
            d.flag_changes(&Default::default(), &s).is_empty(),
            "not given"
        );
        s.values.insert(names::MAX_SESSIONS.into(), "3".into());
        assert!(d.flag_changes(&explicit, &s).is_empty(), "already equal");
    }
}
