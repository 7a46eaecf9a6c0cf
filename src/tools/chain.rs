//! `livepeer chain <action> [name=value ...]`: a chain action for scripts, sent to the running
//! node's CLI API (`-cliAddr`), so the account's nonce keeps its one owner. With no node there,
//! it refuses rather than sign on its own.

use super::ToolError;
use crate::cli::ChainArgs;
use std::process::ExitCode;

/// Runs the action; prints the node's answer (the reference's text, when it has one and it is
/// text) and the mined transactions' hashes, one a line.
pub async fn run(args: &ChainArgs) -> Result<ExitCode, ToolError> {
    let mut form = Vec::new();
    for p in &args.params {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| format!("{p:?}: parameters are name=value"))?;
        form.push((k.to_string(), v.to_string()));
    }
    let url = format!("http://{}/{}", args.cli_addr, args.action);
    let client = reqwest::Client::new();
    let answer = client.post(&url).form(&form).send().await.map_err(|e| {
        if e.is_connect() {
            format!(
                "no node answers at {}: start the node that owns the account (its -cliAddr) — \
                 chain actions go through it, so its nonce has one owner",
                args.cli_addr
            )
        } else {
            format!("{url}: {e}")
        }
    })?;
    let status = answer.status();
    let hashes = crate::api::cli::tx_hashes(answer.headers());
    let body = answer.bytes().await.unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    // `/vote` answers the transaction's hash as raw bytes: printed from the header only.
    let binary = text
        .chars()
        .any(|c| c.is_control() && c != '\n' || c == '\u{fffd}');
    if status.is_success() {
        if !text.is_empty() && !binary {
            println!("{}", text.trim_end());
        }
        for h in hashes {
            println!("{h}");
        }
        Ok(ExitCode::SUCCESS)
    } else {
        Err(format!("{} {}: {}", args.action, status, text.trim()).into())
    }
}
