//! `livepeer cli`'s settings choices (broadcast config, prices, gas prices, face value, max
//! sessions), signing and the poll vote, prompting as the reference's `wizard_*.go` do.

use super::livepeer_cli::{log_error, In, Wizard};
use super::livepeer_cli_actions::{big, default_string, int, string, yes};

/// Set broadcast config.
pub fn broadcast_config(w: &mut Wizard) -> In<()> {
    println!("Enter a maximum transcoding price per pixel, in wei per pixels (pricePerUnit / pixelsPerUnit).");
    println!("eg. 1 wei / 10 pixels = 0,1 wei per pixel ");
    println!();
    w.prompt("Enter amount of pixels that make up a single unit (default: 1 pixel) - ");
    let pixels = default_string(w, "1")?;
    println!();
    w.prompt("Enter the currency for the price per unit (default: Wei) - ");
    let currency = default_string(w, "Wei")?;
    println!();
    w.prompt(&format!(
        "Enter the maximum price to pay for {pixels} pixels in {currency} (default: 0) - "
    ));
    let price = default_string(w, "0")?;
    let mut opts: Vec<String> =
        serde_json::from_str(&w.get_text("getAvailableTranscodingOptions")).unwrap_or_default();
    opts.sort();
    println!("Identifier\tTranscoding Options");
    for (i, o) in opts.iter().enumerate() {
        println!("{i}\t{o}");
    }
    w.prompt("Enter the identifiers of the video profiles you would like to use (use a comma as the delimiter in a list of identifiers) - ");
    let ids = string(w)?;
    let chosen: Option<Vec<&String>> = ids
        .split(',')
        .map(|i| i.trim().parse::<usize>().ok().and_then(|i| opts.get(i)))
        .collect();
    let Some(chosen) = chosen else {
        eprintln!("not a valid identifier");
        return Ok(());
    };
    let list: Vec<&str> = chosen.iter().map(|s| s.as_str()).collect();
    let form = [
        ("pixelsPerUnit", pixels),
        ("currency", currency),
        ("maxPricePerUnit", price),
        ("transcodingOptions", list.join(",")),
    ];
    match w.post("setBroadcastConfig", &form) {
        (r, false) => println!("Error applying configuration: {r}"),
        _ => println!("Configuration applied successfully"),
    }
    Ok(())
}

/// Set max price per capability.
pub fn max_price_capability(w: &mut Wizard) -> In<()> {
    w.prompt("Enter the pipeline to set price for - ");
    let pipeline = string(w)?;
    w.prompt("Enter the model id to set price for (default: default) - ");
    let mut model = default_string(w, "default")?;
    if model.eq_ignore_ascii_case("default") {
        model = "default".into();
    }
    w.prompt("Enter the maximum price to pay (default: 0) - ");
    let price = default_string(w, "0")?;
    w.prompt("Enter the price currency (default: Wei) - ");
    let currency = default_string(w, "Wei")?;
    let form = [
        ("maxPricePerUnit", price),
        ("pixelsPerUnit", "1".into()),
        ("currency", currency),
        ("pipeline", pipeline),
        ("modelID", model),
    ];
    match w.post("setMaxPriceForCapability", &form) {
        (r, false) => println!("Error setting max price for capability: {r}"),
        _ => println!("Max price per capability set successfully"),
    }
    Ok(())
}

/// Set maximum Ethereum gas price.
pub fn max_gas_price(w: &mut Wizard) -> In<()> {
    let cur = w.get_text("maxGasPrice");
    println!(
        "Current maximum gas price: {}",
        if cur.is_empty() { "n/a" } else { &cur }
    );
    let v = big(
        w,
        "Enter new maximum gas price in Wei (enter \"0\" for no maximum gas price)",
    )?;
    w.post("setMaxGasPrice", &[("amount", v)]);
    Ok(())
}

/// Set minimum Ethereum gas price.
pub fn min_gas_price(w: &mut Wizard) -> In<()> {
    println!("Current minimum gas price: {}", w.get_text("minGasPrice"));
    let v = big(w, "Enter new minimum gas price in Wei")?;
    w.post("setMinGasPrice", &[("minGasPrice", v)]);
    Ok(())
}

/// Get test LPT.
pub fn request_tokens(w: &mut Wizard) -> In<()> {
    w.post("requestTokens", &[]);
    Ok(())
}

/// Get test ETH.
pub fn test_eth(w: &mut Wizard) -> In<()> {
    w.prompt("For Rinkeby Eth, go to the Rinkeby faucet (https://faucet.rinkeby.io/).");
    w.read().map(|_| ())
}

/// Sign a message: the rest of the input.
pub fn sign_message(w: &mut Wizard) -> In<()> {
    println!("Enter or paste the message to sign: ");
    let msg = w.read_rest();
    match w.post_bytes("signMessage", &[("message", msg)], &[]) {
        (r, false) => println!("Error signing message: {}", String::from_utf8_lossy(&r)),
        (r, true) => println!("\n\nSignature:\n0x{}", hex::encode(r)),
    }
    Ok(())
}

/// Sign typed data (EIP-712 JSON): the rest of the input, sent with `SigFormat: data/typed`.
pub fn sign_typed_data(w: &mut Wizard) -> In<()> {
    println!("Enter or paste the typed data to sign: ");
    let msg = w.read_rest();
    let headers = [("SigFormat", "data/typed")];
    match w.post_bytes("signMessage", &[("message", msg)], &headers) {
        (r, false) => println!("Error signing typed data: {}", String::from_utf8_lossy(&r)),
        (r, true) => println!("\n\nSignature:\n0x{}", hex::encode(r)),
    }
    Ok(())
}

/// The reference's `VoteChoice`s: 0 Yes, 1 No.
const VOTE_CHOICES: [&str; 2] = ["Yes", "No"];

/// Vote in a governance poll: the poll's address, a choice confirmed, then `/vote`.
pub fn vote(w: &mut Wizard) -> In<()> {
    if w.offchain {
        log_error("Can not vote in 'offchain' mode", &[]);
        return Ok(());
    }
    w.prompt("Enter the contract address for the poll you want to vote in -");
    let poll = loop {
        let s = w.read()?;
        if crate::api::cli::vote::is_hex_address(&s) {
            break s;
        }
        let err = format!("invalid hex address address={s}");
        log_error("Failed to validate input", &[("err", &err)]);
    };
    let choice = loop {
        // tabwriter's table (tab padded to 8 columns).
        println!("Identifier\tVoting Choices");
        for (i, c) in VOTE_CHOICES.iter().enumerate() {
            println!("{i}\t\t{c}");
        }
        let choice = loop {
            w.prompt("Enter the ID of the choice you want to vote for -");
            match int(w)? {
                c @ 0..=1 => break c as usize,
                _ => println!("Must enter a valid ID"),
            }
        };
        w.prompt(&format!(
            "Are you sure you want to vote \"{}\"? (y/n) -",
            VOTE_CHOICES[choice]
        ));
        if yes(w)? {
            break choice;
        }
    };
    let form = [("poll", poll), ("choiceID", choice.to_string())];
    match w.post_bytes("vote", &form, &[]) {
        (r, false) => println!("Error voting: {}", String::from_utf8_lossy(&r)),
        (r, true) => println!("\nVote success tx=0x{}", hex::encode(r)),
    }
    Ok(())
}

/// Vote on a treasury proposal: this node does not serve it (no `LivepeerGovernor`).
pub fn vote_on_proposal(w: &mut Wizard) -> In<()> {
    if w.offchain {
        log_error("Cannot vote in 'offchain' mode", &[]);
        return Ok(());
    }
    println!("Error voting: not served by this node");
    Ok(())
}

/// Set max ticket face value.
pub fn max_face_value(w: &mut Wizard) -> In<()> {
    let v = big(w, "Enter the max ticket face value in wei")?;
    match w.post("setMaxFaceValue", &[("maxfacevalue", v)]) {
        (_, true) => print!("Ticket max face value set"),
        (r, false) => print!("Error setting max face value: {r}"),
    }
    Ok(())
}

/// Set price for broadcaster.
pub fn price_for_broadcaster(w: &mut Wizard) -> In<()> {
    println!("Enter the ETH address of the broadcaster (default=default)");
    let addr = loop {
        let s = default_string(w, "default")?;
        if s == "default" || s.len() == 42 && s.starts_with("0x") {
            break s;
        }
        log_error(
            "Failed to validate input",
            &[("err", "broadcaster eth address input not in correct format")],
        );
    };
    println!("Enter pixels per unit (default: 1 pixel)");
    let pixels = default_string(w, "1")?;
    println!("Enter currency for the price per unit (default: Wei)");
    let currency = default_string(w, "Wei")?;
    println!("Enter price per unit (default: 0)");
    let price = default_string(w, "0")?;
    let form = [
        ("pricePerUnit", price.clone()),
        ("currency", currency.clone()),
        ("pixelsPerUnit", pixels.clone()),
        ("broadcasterEthAddr", addr.clone()),
    ];
    match w.post("setPriceForBroadcaster", &form) {
        (_, true) => {
            print!("Price for broadcaster {addr} set to {price} {currency} per {pixels} pixels")
        }
        (r, false) => print!("Error setting price for broadcaster: {r}"),
    }
    Ok(())
}

/// Set maximum sessions.
pub fn max_sessions(w: &mut Wizard) -> In<()> {
    println!("Enter the maximum # of sessions");
    let v = loop {
        let s = w.read()?;
        if s == "auto" || s.parse::<i64>().is_ok_and(|n| n > 0) {
            break s;
        }
        log_error(
            "Failed to validate input",
            &[("err", "Max Sessions must be 'auto' or greater than zero")],
        );
    };
    match w.post("setMaxSessions", &[("maxSessions", v)]) {
        (r, true) => print!("{r}"),
        (r, false) => print!("Error setting max sessions: {r}"),
    }
    Ok(())
}
