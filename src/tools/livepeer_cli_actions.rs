//! `livepeer cli`'s choices, prompting as the reference's `wizard_*.go` do and posting the same
//! forms to the node's CLI API. Amounts are read as the reference reads them (wei as whole
//! numbers; the deposit in ETH with up to 18 decimals).

use super::livepeer_cli::{log_error, In, Wizard};
use super::livepeer_cli_stats::{self as stats, units};

/// `readBigInt`: `<prompt> - > ` until a whole number.
pub(super) fn big(w: &mut Wizard, prompt: &str) -> In<String> {
    loop {
        w.prompt(&format!("{prompt} - > "));
        let s = w.line()?;
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(s.trim_start_matches('0').to_string()).map(|v| {
                if v.is_empty() {
                    "0".into()
                } else {
                    v
                }
            });
        }
        log_error(
            "Invalid input, expected big integer",
            &[("err", "failed to parse big integer")],
        );
    }
}

/// `readDefaultString`.
pub(super) fn default_string(w: &mut Wizard, def: &str) -> In<String> {
    let s = w.read()?;
    Ok(if s.is_empty() { def.into() } else { s })
}

/// `readString`: until not empty.
pub(super) fn string(w: &mut Wizard) -> In<String> {
    loop {
        let s = w.read()?;
        if !s.is_empty() {
            return Ok(s);
        }
    }
}

/// `readInt`.
pub(super) fn int(w: &mut Wizard) -> In<i64> {
    loop {
        let s = w.read()?;
        if s.is_empty() {
            continue;
        }
        match s.parse() {
            Ok(v) => return Ok(v),
            Err(_) => log_error("Invalid input, expected integer", &[]),
        }
    }
}

/// `readStringYesOrNo`.
pub(super) fn yes(w: &mut Wizard) -> In<bool> {
    loop {
        match w.read()?.as_str() {
            "y" => return Ok(true),
            "n" => return Ok(false),
            _ => log_error("Failed to validate input", &[("err", "Enter y or n")]),
        }
    }
}

/// `ToBaseAmount`: a decimal ETH amount in wei.
fn base_amount(s: &str) -> Option<String> {
    let (int, dec) = s.split_once('.').unwrap_or((s, ""));
    let ok = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if !(ok(int) && ok(dec)) || dec.len() > 18 || int.is_empty() && dec.is_empty() {
        return None;
    }
    let v = format!("{int}{dec:0<18}");
    let v = v.trim_start_matches('0');
    Some(if v.is_empty() { "0".into() } else { v.into() })
}

fn amount_eth(w: &mut Wizard) -> In<String> {
    loop {
        let s = string(w)?;
        match base_amount(&s) {
            Some(v) => return Ok(v),
            None => log_error(
                "Error parsing user input",
                &[("err", &format!("submitted value {s} is not a valid float"))],
            ),
        }
    }
}

fn say(result: (String, bool)) {
    println!("{}", result.0.trim_end());
}

/// Invoke "initialize round".
pub fn initialize_round(w: &mut Wizard) -> In<()> {
    say(w.post("initializeRound", &[]));
    Ok(())
}

/// Invoke "bond".
pub fn bond(w: &mut Wizard) -> In<()> {
    let to = match stats::registered(w)? {
        Some(ids) => {
            w.prompt("Enter the identifier of the orchestrator you would like to bond to - ");
            let id = int(w)?;
            ids.get(id as usize).cloned().unwrap_or_default()
        }
        None => {
            w.prompt("Enter the address of the orchestrator you would like to bond to - ");
            string(w)?
        }
    };
    let amount = big(w, "Enter bond amount")?;
    say(w.post("bond", &[("amount", amount), ("toAddr", to)]));
    Ok(())
}

/// Invoke "unbond".
pub fn unbond(w: &mut Wizard) -> In<()> {
    w.prompt("Would you like to fully unbond? (y/n) - ");
    let full = yes(w)?;
    let amount = if full {
        let d = stats::parse(&w.get_text("delegatorInfo")).unwrap_or_default();
        stats::num(&d["BondedAmount"])
    } else {
        big(w, "Enter unbond amount")?
    };
    say(w.post("unbond", &[("amount", amount)]));
    Ok(())
}

fn lock_id(w: &mut Wizard, ids: &[u64], what: &str) -> In<String> {
    loop {
        w.prompt(&format!(
            "Enter the identifier of the unbonding lock you would like to {what} with - "
        ));
        let id = int(w)?;
        if ids.iter().any(|i| *i as i64 == id) {
            return Ok(id.to_string());
        }
        println!("Must enter a valid unbonding lock ID");
    }
}

/// Invoke "rebond".
pub fn rebond(w: &mut Wizard) -> In<()> {
    let ids = stats::unbonding_locks(w, false).unwrap_or_default();
    if ids.is_empty() {
        println!("No unbonding locks");
        return Ok(());
    }
    let id = lock_id(w, &ids, "rebond")?;
    say(w.post("rebond", &[("unbondingLockId", id)]));
    Ok(())
}

/// Invoke "withdraw stake" (LPT).
pub fn withdraw_stake(w: &mut Wizard) -> In<()> {
    let ids = stats::unbonding_locks(w, true).unwrap_or_default();
    if ids.is_empty() {
        println!("No withdrawable unbonding locks");
        return Ok(());
    }
    let id = lock_id(w, &ids, "withdraw")?;
    say(w.post("withdrawStake", &[("unbondingLockId", id)]));
    Ok(())
}

/// Invoke "withdraw fees" (ETH): the pending fees.
pub fn withdraw_fees(w: &mut Wizard) -> In<()> {
    let d = stats::parse(&w.get_text("delegatorInfo")).unwrap_or_default();
    say(w.post("withdrawFees", &[("amount", stats::num(&d["PendingFees"]))]));
    Ok(())
}

/// Invoke "transfer" (LPT).
pub fn transfer(w: &mut Wizard) -> In<()> {
    println!("Current LPT balance: {}", w.get_text("tokenBalance"));
    w.prompt("Enter recipient address (in hex i.e. 0xfoo) - ");
    let to = string(w)?;
    let amount = big(w, "Enter amount")?;
    loop {
        w.prompt(&format!(
            "Are you sure you want to send {amount} LPTU to \"{to}\"? (y/n) - "
        ));
        match string(w)?.to_lowercase().as_str() {
            "y" => break,
            "n" => {
                println!("Transaction cancelled: Interrupted by user.");
                return Ok(());
            }
            _ => println!("Enter (y)es or (n)o "),
        }
    }
    say(w.post("transferTokens", &[("to", to), ("amount", amount)]));
    Ok(())
}

/// Invoke "reward".
pub fn reward(w: &mut Wizard) -> In<()> {
    let round = w.get_text("currentRound");
    println!("Calling reward for round {round}");
    say(w.post("reward", &[]));
    Ok(())
}

fn config_form(w: &mut Wizard) -> In<Vec<(&'static str, String)>> {
    w.prompt("Enter block reward cut percentage (current=0 default=10) - ");
    let cut: f64 = w.read()?.parse().unwrap_or(10.0);
    w.prompt("Enter fee cut percentage (current=0 default=95) - ");
    let fee: f64 = w.read()?.parse().unwrap_or(95.0);
    println!("Enter a transcoding base price in wei per pixels");
    println!("eg. 1 wei / 10 pixels = 0,1 wei per pixel");
    println!();
    w.prompt("Enter amount of pixels that make up a single unit (default: 1 pixel) ");
    let pixels = default_string(w, "1")?;
    println!();
    w.prompt("Enter the currency for the price per unit (default: Wei) ");
    let currency = default_string(w, "Wei")?;
    println!();
    w.prompt(&format!(
        "Enter the price for {pixels} pixels in {currency} (default: 0) "
    ));
    let price = default_string(w, "0")?;
    w.prompt("Enter the public host:port of node");
    let uri = string(w)?;
    Ok(vec![
        ("blockRewardCut", cut.to_string()),
        ("feeShare", (100.0 - fee).to_string()),
        ("pricePerUnit", price),
        ("currency", currency),
        ("pixelsPerUnit", pixels),
        ("serviceURI", uri),
    ])
}

/// Invoke multi-step "become an orchestrator".
pub fn activate(w: &mut Wizard) -> In<()> {
    println!("Current token balance: {}", w.get_text("tokenBalance"));
    let mut form = config_form(w)?;
    form.push(("amount", big(w, "Enter bond amount")?));
    match w.post("activateOrchestrator", &form) {
        (r, false) => println!("Error activating orchestrator: {r}"),
        _ => println!("\nTransaction sent. Once confirmed, please restart your node."),
    }
    Ok(())
}

/// Set orchestrator config.
pub fn orchestrator_config(w: &mut Wizard) -> In<()> {
    if w.offchain {
        println!("Cannot set Orchestrator config in off-chain mode");
        return Ok(());
    }
    println!("Current token balance: {}", w.get_text("tokenBalance"));
    let form = config_form(w)?;
    match w.post("setOrchestratorConfig", &form) {
        (r, false) => println!("Error applying configuration: {r}"),
        _ => println!("\nTransaction sent. Once confirmed, please restart your node if the ServiceURI has been reset"),
    }
    Ok(())
}

fn sender_lines(w: &Wizard) -> serde_json::Value {
    let s = stats::parse(&w.get_text("senderInfo")).unwrap_or_default();
    println!(
        "Current Deposit: {}",
        units(&stats::num(&s["Deposit"]), "ETH")
    );
    println!(
        "Current Reserve: {}",
        units(&stats::num(&s["Reserve"]["FundsRemaining"]), "ETH")
    );
    s
}

/// Invoke "deposit broadcasting funds" (ETH).
pub fn deposit(w: &mut Wizard) -> In<()> {
    sender_lines(w);
    w.prompt("Enter deposit amount in ETH - ");
    let d = amount_eth(w)?;
    w.prompt("Enter reserve amount in ETH - ");
    let r = amount_eth(w)?;
    let (body, ok) = w.post(
        "fundDepositAndReserve",
        &[("depositAmount", d), ("reserveAmount", r)],
    );
    println!("{body} {ok}");
    Ok(())
}

fn confirm_then(w: &mut Wizard, question: &str, route: &str) -> In<()> {
    println!("Current Round: {}", w.get_text("currentRound"));
    w.prompt(question);
    if yes(w)? {
        say(w.post(route, &[]));
    }
    Ok(())
}

/// Invoke "unlock broadcasting funds".
pub fn unlock(w: &mut Wizard) -> In<()> {
    sender_lines(w);
    confirm_then(
        w,
        "Would you like initiate the unlock period? (y/n) - ",
        "unlock",
    )
}

/// Invoke "cancel unlock of broadcasting funds".
pub fn cancel_unlock(w: &mut Wizard) -> In<()> {
    sender_lines(w);
    confirm_then(
        w,
        "Would you like to cancel the unlock period? (y/n) - ",
        "cancelUnlock",
    )
}

/// Invoke "withdraw broadcasting funds".
pub fn withdraw(w: &mut Wizard) -> In<()> {
    sender_lines(w);
    confirm_then(w, "Would you like to withdraw? (y/n) - ", "withdraw")
}

#[cfg(test)]
mod tests {
    #[test]
    fn eth_amounts_become_wei() {
        assert_eq!(
            super::base_amount("1.5").as_deref(),
            Some("1500000000000000000")
        );
        assert_eq!(super::base_amount("0").as_deref(), Some("0"));
        assert_eq!(super::base_amount("x"), None);
    }
}
