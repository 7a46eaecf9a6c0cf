//! `livepeer audit [-json]` and `livepeer dispute <subject>` over a stopped node's log: the log's
//! hash chain is verified on the way (a broken chain is refused, naming the seq), the records
//! are folded by the pure `audit` module, and the report is printed. A running node holds its
//! log's lock: its CLI API can serve the same report from the same fold.

use super::ToolError;
use crate::{
    audit::{chain_check, render_table, AuditReport},
    log::{FjallLog, LogError},
    node::{audit_chain, state},
};
use std::{path::Path, process::ExitCode};

/// Opens the log, or the line that refuses a broken one (naming its seq).
fn open_or_refuse(datadir: &Path, what: &str) -> Result<Result<FjallLog, String>, ToolError> {
    if !datadir.join("events").exists() {
        return Err(format!(
            "no event log at {} (is -datadir right?)",
            datadir.join("events").display()
        )
        .into());
    }
    match FjallLog::open_dir(datadir) {
        Ok(log) => Ok(Ok(log)),
        Err(e @ LogError::Corruption { .. }) => Ok(Err(format!(
            "{what}: refused: the log's hash chain is broken: {e}"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// The audit of the log in `datadir`, or the line saying why it was refused (a broken chain).
pub fn report(datadir: &Path) -> Result<Result<AuditReport, String>, ToolError> {
    let log = match open_or_refuse(datadir, "audit")? {
        Ok(log) => log,
        Err(line) => return Ok(Err(line)),
    };
    Ok(crate::node::audit_views::accounting(&log).map_err(|e| {
        format!("audit: refused: {e}\naudit: run `livepeer log verify` for the first bad seq")
    }))
}

/// One line for a summary: the audit's verdict on the log in `datadir`.
pub fn verdict(datadir: &Path) -> Result<(bool, String), ToolError> {
    Ok(match report(datadir)? {
        Err(line) => (false, line.lines().next().unwrap_or_default().to_string()),
        Ok(r) if r.ok() => (
            true,
            format!(
                "every difference explained ({} balance sessions, {} tickets received, {} \
                 redemptions matched to their transfers)",
                r.sessions.len(),
                r.tickets.received,
                r.redemptions.len()
            ),
        ),
        Ok(r) => (
            false,
            format!("{} UNEXPLAINED differences", r.discrepancies.len()),
        ),
    })
}

/// Audits the whole log: exit 0 when every difference is explained, 1 (printing the seqs
/// behind each) otherwise, or when the chain is broken. With `eth_url`, the log is also
/// compared with the chain (`audit::chain_check`).
pub fn run(
    datadir: &Path,
    json: bool,
    eth_url: Option<&str>,
    eth_controller: Option<&str>,
    rt: &tokio::runtime::Runtime,
) -> Result<ExitCode, ToolError> {
    let Some(url) = eth_url else {
        return print_report(datadir, json);
    };
    let log = match open_or_refuse(datadir, "audit")? {
        Ok(log) => log,
        Err(line) => {
            println!("{line}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let (report, claims) = match crate::node::audit_views::accounting_and_claims(&log) {
        Ok(r) => r,
        Err(e) => {
            println!("audit: refused: {e}\naudit: run `livepeer log verify` for the first bad seq");
            return Ok(ExitCode::FAILURE);
        }
    };
    let facts = rt.block_on(async {
        let (rpc, broker) = audit_chain::connect(url, eth_controller, &claims).await?;
        audit_chain::read_facts(&rpc, broker, &claims).await
    })?;
    let check = chain_check::check(&claims, &facts);
    if json {
        let v = audit_chain::report_with_chain(&report, &check)?;
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print!("{}", render_table(&report));
        print!("{}", render_chain(&check));
    }
    Ok(if report.ok() && check.discrepancies.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_report(datadir: &Path, json: bool) -> Result<ExitCode, ToolError> {
    let report = match report(datadir)? {
        Ok(r) => r,
        Err(line) => {
            println!("{line}");
            return Ok(ExitCode::FAILURE);
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render_table(&report));
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The comparison with the chain, for people.
fn render_chain(c: &chain_check::ChainCheck) -> String {
    let mut s = String::new();
    let span = c.span.map_or("no blocks".to_string(), |(a, b)| {
        format!("blocks {a}..={b}")
    });
    s += &format!(
        "chain: {span}: {} WinningTicketTransfers, {} receipts, {} senders' funds agree with the log\n",
        c.transfers_matched, c.receipts_matched, c.senders_matched
    );
    for n in &c.notes {
        s += &format!("chain: note: {n}\n");
    }
    if c.discrepancies.is_empty() {
        s += "chain: the log agrees with the chain\n";
    } else {
        s += &format!(
            "chain: {} UNEXPLAINED difference(s) with the chain\n",
            c.discrepancies.len()
        );
        for d in &c.discrepancies {
            let seqs: Vec<String> = d.seqs.iter().map(u64::to_string).collect();
            let at = if seqs.is_empty() {
                "no seq".to_string()
            } else {
                format!("seq {}", seqs.join(","))
            };
            s += &format!("  {at}: {}\n", d.what);
        }
    }
    s
}

/// Explains one ticket or session (see `audit::dispute`).
pub fn dispute(datadir: &Path, subject: &str) -> Result<ExitCode, ToolError> {
    let log = match open_or_refuse(datadir, "dispute")? {
        Ok(log) => log,
        Err(line) => {
            println!("{line}");
            return Ok(ExitCode::FAILURE);
        }
    };
    // A subject that does not parse is an error of the command line (stderr, exit 1).
    crate::audit::dispute::Query::parse(subject)?;
    let (projections, _) = state::restore(&log)?;
    match crate::node::audit_views::dispute(&log, &projections.audit_index.state, subject) {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(why) => {
            println!("dispute: {why}");
            Ok(ExitCode::FAILURE)
        }
    }
}
