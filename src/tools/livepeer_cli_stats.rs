//! `livepeer cli`'s screens, as the reference's `wizard_stats.go` draws them: the node's stats
//! (then the orchestrator's or the broadcaster's, and the delegator's), the protocol's
//! parameters, the registered orchestrators and the unbonding locks, in tablewriter's boxes;
//! amounts and rates as `livepeer_cli_format` writes them.

use super::livepeer_cli::{In, Wizard};
use super::livepeer_cli_format::from_base;
pub use super::livepeer_cli_format::{format_float, num, parse, perc, price, table, units};
use serde_json::Value;
use std::collections::BTreeMap;

fn json(w: &Wizard, route: &str) -> Option<Value> {
    match w.get(route) {
        Some((200, body)) => parse(&body),
        Some((code, _)) => {
            eprintln!("Error getting {route}: http error: {code}");
            None
        }
        None => None,
    }
}

fn wei(w: &Wizard, route: &str) -> String {
    w.get_text(route)
}

/// "Get node status": the node's table, then its role's and the delegator's.
pub fn stats(w: &mut Wizard) -> In<()> {
    let status = json(w, "status").unwrap_or(Value::Null);
    let s = |k: &str| status[k].as_str().unwrap_or("").to_string();
    println!("+-----------+");
    println!("|NODE STATS|");
    println!("+-----------+");
    let mut rows = vec![
        vec!["Node's version".into(), s("Version")],
        vec![
            "Node's GO runtime version".into(),
            s("GolangRuntimeVersion"),
        ],
        vec!["Node's architecture".into(), s("GOArch")],
        vec!["Node's operating system".into(), s("GOOS")],
        vec!["HTTP Port".into(), w.http_port.clone()],
    ];
    if !w.offchain {
        let addrs: BTreeMap<String, String> = json(w, "contractAddresses")
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        let reference = "\nFOR REFERENCE - DO NOT SEND TOKENS";
        for name in ["Controller", "LivepeerToken", "LivepeerTokenFaucet"] {
            // The node answers lower-case hex; the reference's wizard shows `.Hex()` (EIP-55).
            let a = addrs.get(name).cloned().unwrap_or_default();
            let a = a
                .parse::<ethers_core::types::Address>()
                .map(|x| ethers_core::utils::to_checksum(&x, None))
                .unwrap_or(a);
            rows.push(vec![format!("{name} Address{reference}"), a]);
        }
        let who = if w.orchestrator {
            "Orchestrator"
        } else {
            "Broadcaster"
        };
        let gwei = |v: String| match v.parse::<u128>() {
            Ok(n) => format!("{} GWei", from_base(&(n * 1_000_000_000).to_string())),
            Err(_) => "n/a".into(),
        };
        let max = wei(w, "maxGasPrice");
        let max = if max.is_empty() || max == "0" {
            "n/a".into()
        } else {
            gwei(max)
        };
        rows.extend([
            vec![
                format!("{who} Account\nYOUR WALLET FOR ETH & LPT"),
                w.get_text("ethAddr"),
            ],
            vec!["LPT Balance".into(), units(&wei(w, "tokenBalance"), "LPT")],
            vec!["ETH Balance".into(), units(&wei(w, "ethBalance"), "ETH")],
            vec!["Max Gas Price".into(), max],
            vec!["Min Gas Price".into(), gwei(wei(w, "minGasPrice"))],
        ]);
    }
    print!("{}", table(None, &rows));
    if w.orchestrator {
        orchestrator_stats(w);
    } else {
        broadcaster_stats(w);
    }
    if !w.offchain {
        delegator_stats(w);
        match w.get("currentRound") {
            Some((200, r)) => println!("CURRENT ROUND: {r}"),
            _ => eprintln!("Error getting current round"),
        }
    }
    Ok(())
}

fn broadcaster_stats(w: &Wizard) {
    println!("+-----------------+");
    println!("|BROADCASTER STATS|");
    println!("+-----------------+");
    // Off chain the node answers 500: the reference shows zeros.
    let sender = match w.get("senderInfo") {
        Some((200, body)) => parse(&body).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    let config = json(w, "getBroadcastConfig").unwrap_or(Value::Null);
    let mut rows = vec![
        vec!["Max Price Per Pixel".into(), price(&config["MaxPrice"])],
        vec![
            "Broadcast Transcoding Options".into(),
            config["TranscodingOptions"].as_str().unwrap_or("").into(),
        ],
        vec!["Deposit".into(), units(&num(&sender["Deposit"]), "ETH")],
        vec![
            "Reserve".into(),
            units(&num(&sender["Reserve"]["FundsRemaining"]), "ETH"),
        ],
    ];
    let round = num(&sender["WithdrawRound"]);
    if round != "0" {
        rows.push(vec!["Withdraw Round".into(), round]);
    }
    print!("{}", table(None, &rows));
}

fn orchestrator_stats(w: &Wizard) {
    if w.offchain {
        return;
    }
    let Some(info) = json(w, "orchestratorInfo") else {
        return;
    };
    let t = &info["Transcoder"];
    println!("+------------------+");
    println!("|ORCHESTRATOR STATS|");
    println!("+------------------+");
    let fee_cut = 100.0 - perc(&t["FeeShare"]).parse::<f64>().unwrap_or(0.0);
    let rows = vec![
        vec!["Status".into(), t["Status"].as_str().unwrap_or("").into()],
        vec![
            "Active".into(),
            t["Active"].as_bool().unwrap_or(false).to_string(),
        ],
        vec![
            "Service URI".into(),
            t["ServiceURI"].as_str().unwrap_or("").into(),
        ],
        vec![
            "Delegated Stake".into(),
            units(&num(&t["DelegatedStake"]), "LPT"),
        ],
        vec!["Reward Cut (%)".into(), perc(&t["RewardCut"])],
        vec!["Fee Cut (%)".into(), format_float(fee_cut)],
        vec!["Last Reward Round".into(), num(&t["LastRewardRound"])],
        vec!["Base price per pixel".into(), price(&info["PriceInfo"])],
        vec!["Base price for broadcasters".into(), String::new()],
    ];
    print!("{}", table(None, &rows));
}

fn delegator_stats(w: &Wizard) {
    let Some(d) = json(w, "delegatorInfo") else {
        return;
    };
    let pending = |v: &Value, name: &str, what: &str| {
        if num(v) == "-1" {
            format!("Please fetch pending {what} separately")
        } else {
            units(&num(v), name)
        }
    };
    println!("+---------------+");
    println!("|DELEGATOR STATS|");
    println!("+---------------+");
    let rows = vec![
        vec!["Status".into(), d["Status"].as_str().unwrap_or("").into()],
        vec!["Stake".into(), units(&num(&d["BondedAmount"]), "LPT")],
        vec!["Collected Fees".into(), units(&num(&d["Fees"]), "ETH")],
        vec![
            "Pending Stake".into(),
            pending(&d["PendingStake"], "LPT", "stake"),
        ],
        vec![
            "Pending Fees".into(),
            pending(&d["PendingFees"], "ETH", "fees"),
        ],
        vec![
            "Delegated Stake".into(),
            units(&num(&d["DelegatedAmount"]), "LPT"),
        ],
        vec![
            "Delegate Address".into(),
            d["DelegateAddress"].as_str().unwrap_or("").into(),
        ],
        vec!["Last Claim Round".into(), num(&d["LastClaimRound"])],
        vec!["Start Round".into(), num(&d["StartRound"])],
    ];
    print!("{}", table(None, &rows));
}

/// "View protocol parameters".
pub fn protocol(w: &mut Wizard) -> In<()> {
    println!("+-------------------+}}");
    println!("|PROTOCOL PARAMETERS|");
    println!("+-------------------+");
    let Some(p) = json(w, "protocolParameters") else {
        return Ok(());
    };
    let minter = |v: &Value| format_float(num(v).parse::<f64>().unwrap_or(0.0) / 10_000_000.0);
    let (bonded, supply) = (
        num(&p["TotalBonded"]).parse::<f64>().unwrap_or(0.0),
        num(&p["TotalSupply"]).parse::<f64>().unwrap_or(0.0),
    );
    let rate = if supply == 0.0 {
        0.0
    } else {
        bonded / supply * 100.0
    };
    let rows = vec![
        vec![
            "Protocol Paused".into(),
            p["Paused"].as_bool().unwrap_or(false).to_string(),
        ],
        vec![
            "Max # Active Orchestrators".into(),
            num(&p["NumActiveTranscoders"]),
        ],
        vec!["RoundLength (Blocks)".into(), num(&p["RoundLength"])],
        vec!["RoundLockAmount (%)".into(), perc(&p["RoundLockAmount"])],
        vec![
            "UnbondingPeriod (Rounds)".into(),
            num(&p["UnbondingPeriod"]),
        ],
        vec!["Inflation (%)".into(), minter(&p["Inflation"])],
        vec!["InflationChange (%)".into(), minter(&p["InflationChange"])],
        vec![
            "TargetBondingRate (%)".into(),
            minter(&p["TargetBondingRate"]),
        ],
        vec!["Total Bonded".into(), units(&num(&p["TotalBonded"]), "LPT")],
        vec!["Total Supply".into(), units(&num(&p["TotalSupply"]), "LPT")],
        vec!["Current Participation Rate (%)".into(), format_float(rate)],
    ];
    print!("{}", table(None, &rows));
    Ok(())
}

/// "List registered orchestrators": the table and each one's address by its row id.
pub fn registered(w: &mut Wizard) -> In<Option<Vec<String>>> {
    let Some(Value::Array(os)) = json(w, "registeredOrchestrators") else {
        return Ok(None);
    };
    println!("+------------------------+");
    println!("|REGISTERED ORCHESTRATORS|");
    println!("+------------------------+");
    let head = [
        "ID",
        "Address",
        "Active",
        "Delegated Stake",
        "Reward Cut (%)",
        "Fee Cut (%)",
        "Service URI",
        "Price Per Pixel",
    ];
    let mut rows = Vec::new();
    let mut ids = Vec::new();
    for (i, t) in os.iter().enumerate() {
        let addr = t["Address"].as_str().unwrap_or("").to_string();
        let fee_cut = 100.0 - perc(&t["FeeShare"]).parse::<f64>().unwrap_or(0.0);
        rows.push(vec![
            i.to_string(),
            addr.clone(),
            t["Active"].as_bool().unwrap_or(false).to_string(),
            units(&num(&t["DelegatedStake"]), "LPT"),
            perc(&t["RewardCut"]),
            format_float(fee_cut),
            t["ServiceURI"].as_str().unwrap_or("").into(),
            price(&t["PricePerPixel"]).replace(" wei/pixel", ""),
        ]);
        ids.push(addr);
    }
    print!("{}", table(Some(&head), &rows));
    Ok(Some(ids))
}

/// The account's unbonding locks (withdrawable ones only, when asked): their ids.
pub fn unbonding_locks(w: &Wizard, withdrawable: bool) -> Option<Vec<u64>> {
    let route = if withdrawable {
        "unbondingLocks?withdrawable=true"
    } else {
        "unbondingLocks"
    };
    let Some(Value::Array(locks)) = json(w, route) else {
        return None;
    };
    if locks.is_empty() {
        return Some(Vec::new());
    }
    println!("+---------------+");
    println!("|UNBONDING LOCKS|");
    println!("+---------------+");
    let rows: Vec<Vec<String>> = locks
        .iter()
        .map(|l| {
            vec![
                num(&l["ID"]),
                units(&num(&l["Amount"]), "LPT"),
                num(&l["WithdrawRound"]),
            ]
        })
        .collect();
    print!(
        "{}",
        table(Some(&["ID", "Amount", "Withdraw Round"]), &rows)
    );
    Some(locks.iter().filter_map(|l| l["ID"].as_u64()).collect())
}
