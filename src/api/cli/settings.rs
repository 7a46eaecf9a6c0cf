//! The runtime settings: a B's `/setBroadcastConfig` (max price, transcoding options for new
//! streams), `/getBroadcastConfig`, `/getAvailableTranscodingOptions`,
//! `/setMaxPriceForCapability`; `/setMaxSessions`; an O's `/setMaxFaceValue`,
//! `/setPriceForBroadcaster` and `/setOrchestratorConfig`'s price. Each change is recorded
//! through [`CliPort::set`] under the `config` projection's names.

use super::json::{rat, Obj};
use super::{CliPort, Form, Reply, Role};
use crate::events::{Address, Price};
use crate::projections::config::{self as names, price_text};

/// A `big.Rat` as go-livepeer's forms give one (`5`, `-2`, `0.25`, `3/4`): numerator and
/// denominator (above 0).
pub fn parse_rat(s: &str) -> Option<(i128, i128)> {
    let s = s.trim();
    if let Some((a, b)) = s.split_once('/') {
        let (a, b): (i128, i128) = (a.parse().ok()?, b.parse().ok()?);
        return (b != 0).then(|| if b < 0 { (-a, -b) } else { (a, b) });
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 18 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let den = 10i128.checked_pow(frac.len() as u32)?;
    let neg = int.starts_with('-');
    let whole: i128 = if int.is_empty() || int == "-" {
        0
    } else {
        int.parse().ok()?
    };
    let f: i128 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let n = whole
        .checked_mul(den)?
        .checked_add(if neg { -f } else { f })?;
    Some((n, den))
}

/// `price / pixels` as a `Price` of whole numbers (reduced); `None` when it does not fit.
fn price_of((pn, pd): (i128, i128), (xn, xd): (i128, i128)) -> Option<Price> {
    let (mut a, mut b) = (pn.checked_mul(xd)?, pd.checked_mul(xn)?);
    if b < 0 {
        (a, b) = (-a, -b);
    }
    let g = gcd(a.unsigned_abs(), b.unsigned_abs()).max(1) as i128;
    Some(Price {
        price_per_unit: i64::try_from(a / g).ok()?,
        pixels_per_unit: i64::try_from(b / g).ok()?,
    })
}

fn gcd(a: u128, b: u128) -> u128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The currencies a price may be in without a price feed.
fn check_currency(currency: &str) -> Result<(), String> {
    match currency.to_ascii_lowercase().as_str() {
        "" | "wei" => Ok(()),
        _ => Err("PriceFeedWatcher is not initialized".into()),
    }
}

/// go-livepeer's `setOrchestratorPriceInfo`: an O's price for `who` (`default` or a B's
/// address) from the form's texts.
fn orchestrator_price(
    who: &str,
    price: &str,
    pixels: &str,
    currency: &str,
) -> Result<Price, String> {
    let hex_ok = who.len() >= 42
        && who.starts_with("0x")
        && who[2..42].bytes().all(|b| b.is_ascii_hexdigit());
    if !(hex_ok || who.ends_with("default")) {
        return Err(format!(
            "broadcasterEthAddr is not a valid eth address, provided {who}"
        ));
    }
    let p = parse_rat(price).ok_or_else(|| format!("error parsing pricePerUnit value: {price}"))?;
    if p.0 < 0 {
        return Err(format!(
            "price unit must be greater than or equal to 0, provided {price}"
        ));
    }
    let x =
        parse_rat(pixels).ok_or_else(|| format!("error parsing pixelsPerUnit value: {pixels}"))?;
    if x.0 <= 0 {
        return Err(format!(
            "pixels per unit must be greater than 0, provided {pixels}"
        ));
    }
    check_currency(currency).map_err(|e| format!("error converting price: {e}"))?;
    price_of(p, x).ok_or_else(|| format!("error parsing pricePerUnit value: {price}"))
}

async fn set(port: &dyn CliPort, setting: &str, value: String) -> Result<(), Reply> {
    port.set(setting, value)
        .await
        .map_err(|e| Reply::failed(&e))
}

async fn set_broadcast_config(port: &dyn CliPort, form: &Form) -> Reply {
    let (price, pixels) = (form.value("maxPricePerUnit"), form.value("pixelsPerUnit"));
    let options = form.value("transcodingOptions");
    if (price.is_empty() || pixels.is_empty()) && options.is_empty() {
        return Reply::bad(
            "missing form params (maxPricePerUnit AND pixelsPerUnit) or transcodingOptions",
        );
    }
    let mut max_price = None;
    if !price.is_empty() && !pixels.is_empty() {
        let Some(p) = parse_rat(price) else {
            return Reply::bad(&format!("Error parsing pricePerUnit value: {price}"));
        };
        let Some(x) = parse_rat(pixels) else {
            return Reply::bad(&format!("Error parsing pixelsPerUnit value: {pixels}"));
        };
        if x.0 <= 0 {
            return Reply::bad(&format!(
                "pixels per unit must be greater than 0, provided {pixels}"
            ));
        }
        let value = if p.0 > 0 {
            if let Err(e) = check_currency(form.value("currency")) {
                return Reply::bad(&format!("error converting price: {e}"));
            }
            match price_of(p, x) {
                Some(p) => price_text(&p),
                None => return Reply::bad(&format!("Error parsing pricePerUnit value: {price}")),
            }
        } else {
            "0".to_string()
        };
        max_price = Some(value);
    }
    let mut ladder = None;
    if !options.is_empty() {
        let known = crate::media::profile::preset_names();
        let valid: Vec<&str> = options.split(',').filter(|n| known.contains(n)).collect();
        if valid.is_empty() {
            return Reply::bad(&format!("invalid transcoding options: {options}"));
        }
        ladder = Some(valid.join(","));
    }
    if let Some(v) = max_price {
        if let Err(r) = set(port, names::MAX_PRICE, v).await {
            return r;
        }
    }
    if let Some(v) = ladder {
        if let Err(r) = set(port, names::TRANSCODING_OPTIONS, v).await {
            return r;
        }
    }
    Reply::ok("")
}

async fn set_max_sessions(port: &dyn CliPort, form: &Form) -> Reply {
    if let Err(e) = form.require(&["maxSessions"]) {
        return Reply::bad(&e);
    }
    let v = form.value("maxSessions");
    if v == "auto" {
        // The reference's `auto`: an O's limit follows its attached Ts' total capacity.
        if port.role() != Role::Orchestrator {
            return Reply::bad(
                "maxSessions auto is for an orchestrator transcoding on remote transcoders",
            );
        }
        return match set(port, names::MAX_SESSIONS, "auto".into()).await {
            Ok(()) => Reply::ok("Max sessions set to auto\n"),
            Err(r) => r,
        };
    }
    match v.parse::<i64>() {
        Ok(n) if n > 0 && n <= i64::from(u32::MAX) => {
            match set(port, names::MAX_SESSIONS, n.to_string()).await {
                Ok(()) => Reply::ok(format!("Max sessions set to {n}\n")),
                Err(r) => r,
            }
        }
        Ok(_) => Reply::bad("Max Sessions must be 'auto' or greater than zero"),
        Err(_) => Reply::bad(&format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            super::json::string(v)
        )),
    }
}

async fn set_max_face_value(port: &dyn CliPort, form: &Form) -> Reply {
    if let Err(e) = form.require(&["maxfacevalue"]) {
        return Reply::bad(&e);
    }
    if port.role() != Role::Orchestrator {
        return Reply::bad("node must be orchestrator node to set maxfacevalue");
    }
    let v = form.value("maxfacevalue");
    match v.parse::<u128>() {
        Ok(n) => match set(port, names::MAX_FACE_VALUE, n.to_string()).await {
            Ok(()) => Reply::ok("ticket max face value set"),
            Err(r) => r,
        },
        Err(_) => Reply::bad("maxfacevalue not set to number"),
    }
}

async fn set_price_for_broadcaster(port: &dyn CliPort, form: &Form) -> Reply {
    if let Err(e) = form.require(&["pricePerUnit", "pixelsPerUnit", "broadcasterEthAddr"]) {
        return Reply::bad(&e);
    }
    if port.role() != Role::Orchestrator {
        return Reply::bad("Node must be orchestrator node to set price for broadcaster");
    }
    let (price, pixels) = (form.value("pricePerUnit"), form.value("pixelsPerUnit"));
    let who = form.value("broadcasterEthAddr");
    let p = match orchestrator_price(who, price, pixels, form.value("currency")) {
        Ok(p) => p,
        Err(e) => return Reply::bad(&e),
    };
    let setting = match parse_address(who) {
        Some(a) => names::price_for(&a),
        None => names::PRICE.to_string(),
    };
    match set(port, &setting, price_text(&p)).await {
        Ok(()) => Reply::ok(format!(
            "Price per pixel set to {price} wei for {pixels} pixels for broadcaster {who}\n"
        )),
        Err(r) => r,
    }
}

fn parse_address(s: &str) -> Option<Address> {
    let bytes = hex::decode(s.get(2..42)?).ok()?;
    Some(Address(bytes.try_into().ok()?))
}

/// `/setOrchestratorConfig`'s price (`pricePerUnit`, `pixelsPerUnit`, `currency`); `Ok(false)`
/// when the form sets none.
pub async fn set_orchestrator_price(port: &dyn CliPort, form: &Form) -> Result<bool, Reply> {
    let (price, pixels) = (form.value("pricePerUnit"), form.value("pixelsPerUnit"));
    if price.is_empty() || pixels.is_empty() {
        return Ok(false);
    }
    let p = orchestrator_price("default", price, pixels, form.value("currency"))
        .map_err(|e| Reply::bad(&e))?;
    set(port, names::PRICE, price_text(&p)).await?;
    Ok(true)
}

fn broadcast_config(port: &dyn CliPort) -> Reply {
    let e = port.effective();
    Reply::json(
        Obj::new()
            .raw("MaxPrice", rat(e.max_price.as_ref()))
            .str("TranscodingOptions", &e.transcoding_options)
            .text(),
    )
}

fn max_price_for_capability(port: &dyn CliPort, form: &Form) -> Reply {
    if let Err(e) = form.require(&[
        "maxPricePerUnit",
        "pixelsPerUnit",
        "currency",
        "pipeline",
        "modelID",
    ]) {
        return Reply::bad(&e);
    }
    if port.role() != Role::Broadcaster {
        return Reply::bad("Node must be gateway node to set max price per capability");
    }
    // No AI pipeline is a capability of this node.
    Reply::bad("pipeline not supported")
}

/// `/setLogLevel` (`loglevel`): the process's verbosity from now on, recorded like every
/// runtime setting.
async fn set_log_level(port: &dyn CliPort, form: &Form) -> Reply {
    if let Err(e) = form.require(&["loglevel"]) {
        return Reply::bad(&e);
    }
    let Some(l) = port.log_level() else {
        return Reply::failed("nil log level");
    };
    if l.set(form.value("loglevel")).is_err() {
        return Reply::bad("parameter 'logLevel' not defined");
    }
    match set(port, names::LOG_LEVEL, l.get()).await {
        Ok(()) => Reply::ok(""),
        Err(r) => r,
    }
}

/// The route, when it is one of these.
pub async fn handle(port: &dyn CliPort, route: &str, form: &Form) -> Option<Reply> {
    Some(match route {
        "setBroadcastConfig" => set_broadcast_config(port, form).await,
        "getBroadcastConfig" => broadcast_config(port),
        "getAvailableTranscodingOptions" => {
            let names: Vec<String> = crate::media::profile::preset_names()
                .iter()
                .map(|n| super::json::string(n))
                .collect();
            Reply::json(format!("[{}]", names.join(",")))
        }
        "setMaxPriceForCapability" => max_price_for_capability(port, form),
        "setMaxSessions" => set_max_sessions(port, form).await,
        "setLogLevel" => set_log_level(port, form).await,
        "setMaxFaceValue" => set_max_face_value(port, form).await,
        "setPriceForBroadcaster" => set_price_for_broadcaster(port, form).await,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rats_and_prices_read_as_big_rat_sets_them() {
        assert_eq!(parse_rat("5"), Some((5, 1)));
        assert_eq!(parse_rat("0.25"), Some((25, 100)));
        assert_eq!(parse_rat("3/-4"), Some((-3, 4)));
        assert_eq!(parse_rat("x"), None);
        assert_eq!(parse_rat("1/0"), None);
        let p = orchestrator_price("default", "1000", "3", "").unwrap();
        assert_eq!((p.price_per_unit, p.pixels_per_unit), (1000, 3));
        let p = orchestrator_price("0x".to_string().as_str(), "1", "1", "");
        assert_eq!(
            p,
            Err("broadcasterEthAddr is not a valid eth address, provided 0x".into())
        );
        assert_eq!(
            orchestrator_price("default", "-1", "1", ""),
            Err("price unit must be greater than or equal to 0, provided -1".into())
        );
        assert_eq!(
            orchestrator_price("default", "1", "0", ""),
            Err("pixels per unit must be greater than 0, provided 0".into())
        );
        assert_eq!(
            orchestrator_price("default", "1", "1", "USD"),
            Err("error converting price: PriceFeedWatcher is not initialized".into())
        );
    }
}
