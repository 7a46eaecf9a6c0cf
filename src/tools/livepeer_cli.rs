//! `livepeer cli`: go-livepeer's `livepeer_cli` wizard over a running node's CLI API
//! (`-http` port, `-host`): the welcome box, the status screen, then the reference's menu —
//! filtered by the node's role (`/IsOrchestrator`, `/IsRedeemer`) and chain
//! (`/EthChainID`) and numbered as the reference numbers it — each choice prompting as the
//! reference does. Answers come from a terminal or a pipe; the end of input ends the session
//! with status 0. Screens: `livepeer_cli_stats` (`livepeer_cli_format`); choices:
//! `livepeer_cli_actions` (chain), `livepeer_cli_settings`.

use super::livepeer_cli_actions as act;
use super::livepeer_cli_settings as set;
use super::livepeer_cli_stats as stats;
use super::ToolError;
use std::io::{BufRead, Read, Write};
use std::process::ExitCode;

/// `livepeer cli` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct CliToolArgs {
    /// The node's CLI port (default 7935, else a broadcaster's 5935 when 7935 does not answer).
    #[arg(long = "http")]
    pub http: Option<String>,
    /// The node's host.
    #[arg(long = "host", default_value = "localhost")]
    pub host: String,
}

/// The input ended: the session is over.
#[derive(Debug)]
pub struct Eof;

/// What a prompt returns: the answer, or the end of input.
pub type In<T> = Result<T, Eof>;

/// A session with one node.
pub struct Wizard<'a> {
    rt: &'a tokio::runtime::Runtime,
    client: reqwest::Client,
    /// `host:port`.
    pub addr: String,
    /// The port as given.
    pub http_port: String,
    /// The node is an orchestrator.
    pub orchestrator: bool,
    /// The node is a redeemer.
    pub redeemer: bool,
    /// On a test network (faucet choices).
    pub testnet: bool,
    /// Off chain (chain id 0).
    pub offchain: bool,
    input: Box<dyn BufRead + 'a>,
}

/// One menu entry: its text, what it runs, and the reference's role filters.
struct Opt {
    desc: &'static str,
    run: fn(&mut Wizard) -> In<()>,
    testnet: bool,
    orchestrator: bool,
    not_orchestrator: bool,
}

const fn opt(desc: &'static str, run: fn(&mut Wizard) -> In<()>) -> Opt {
    Opt {
        desc,
        run,
        testnet: false,
        orchestrator: false,
        not_orchestrator: false,
    }
}

const fn o(mut x: Opt) -> Opt {
    x.orchestrator = true;
    x
}

const fn b(mut x: Opt) -> Opt {
    x.not_orchestrator = true;
    x
}

const fn t(mut x: Opt) -> Opt {
    x.testnet = true;
    x
}

/// The reference's `initializeOptions`, in its order.
fn options() -> Vec<Opt> {
    vec![
        opt("Get node status", stats::stats),
        opt("View protocol parameters", stats::protocol),
        opt("List registered orchestrators", |w| {
            stats::registered(w).map(|_| ())
        }),
        opt("Invoke \"initialize round\"", act::initialize_round),
        opt("Invoke \"bond\"", act::bond),
        opt("Invoke \"unbond\"", act::unbond),
        opt("Invoke \"rebond\"", act::rebond),
        opt("Invoke \"withdraw stake\" (LPT)", act::withdraw_stake),
        opt("Invoke \"withdraw fees\" (ETH)", act::withdraw_fees),
        opt("Invoke \"transfer\" (LPT)", act::transfer),
        o(opt("Invoke \"reward\"", act::reward)),
        o(opt(
            "Invoke multi-step \"become an orchestrator\"",
            act::activate,
        )),
        o(opt("Set orchestrator config", act::orchestrator_config)),
        b(opt(
            "Invoke \"deposit broadcasting funds\" (ETH)",
            act::deposit,
        )),
        b(opt("Invoke \"unlock broadcasting funds\"", act::unlock)),
        b(opt(
            "Invoke \"cancel unlock of broadcasting funds\"",
            act::cancel_unlock,
        )),
        b(opt("Invoke \"withdraw broadcasting funds\"", act::withdraw)),
        b(opt("Set broadcast config", set::broadcast_config)),
        b(opt(
            "Set max price per capability",
            set::max_price_capability,
        )),
        opt("Set maximum Ethereum gas price", set::max_gas_price),
        opt("Set minimum Ethereum gas price", set::min_gas_price),
        t(opt("Get test LPT", set::request_tokens)),
        t(opt("Get test ETH", set::test_eth)),
        opt("Sign a message", set::sign_message),
        opt("Sign typed data", set::sign_typed_data),
        o(opt("Vote in a governance poll", set::vote)),
        o(opt("Vote on a treasury proposal", set::vote_on_proposal)),
        o(opt("Set max ticket face value", set::max_face_value)),
        o(opt("Set price for broadcaster", set::price_for_broadcaster)),
        o(opt("Set maximum sessions", set::max_sessions)),
        opt("Exit", |_| {
            println!("Goodbye, my friend");
            Err(Eof)
        }),
    ]
}

/// The reference's `filterOptions`.
fn filtered(w: &Wizard) -> Vec<Opt> {
    let o_or_r = w.orchestrator || w.redeemer;
    options()
        .into_iter()
        .filter(|x| !x.testnet || w.testnet)
        .filter(|x| {
            !x.orchestrator && !x.not_orchestrator
                || o_or_r && x.orchestrator
                || !o_or_r && x.not_orchestrator
        })
        .collect()
}

/// go-ethereum's log line for an error (`ERROR message key=value …`), on stdout as the
/// reference's handler writes it.
pub fn log_error(msg: &str, kv: &[(&str, &str)]) {
    let mut line = format!("ERROR {msg}");
    for (k, v) in kv {
        line.push_str(&format!(" {k}={v}"));
    }
    println!("{line}");
}

impl<'a> Wizard<'a> {
    /// Prints `text` without a newline, at once.
    pub fn prompt(&self, text: &str) {
        print!("{text}");
        let _ = std::io::stdout().flush();
    }

    /// One line of input, trimmed; the end of input is [`Eof`].
    pub fn line(&mut self) -> In<String> {
        let mut s = String::new();
        match self.input.read_line(&mut s) {
            Ok(0) | Err(_) => {
                println!();
                Err(Eof)
            }
            Ok(_) => Ok(s.trim().to_string()),
        }
    }

    /// The reference's `read`: `> ` and one line.
    pub fn read(&mut self) -> In<String> {
        self.prompt("> ");
        self.line()
    }

    /// The rest of the input (the reference's multi-line read, ended by end of input).
    pub fn read_rest(&mut self) -> String {
        self.prompt("(press enter followed by Ctrl+D when done) > ");
        let mut all = String::new();
        let _ = self.input.read_to_string(&mut all);
        all.trim_end_matches('\n').to_string()
    }

    fn url(&self, route: &str) -> String {
        format!("http://{}/{route}", self.addr)
    }

    /// GET `route`: status and body (none when the node did not answer).
    pub fn get(&self, route: &str) -> Option<(u16, String)> {
        let url = self.url(route);
        let r = self.rt.block_on(async {
            let r = self.client.get(&url).send().await?;
            let code = r.status().as_u16();
            Ok::<_, reqwest::Error>((code, r.text().await.unwrap_or_default()))
        });
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                log_error(
                    "Error sending HTTP GET",
                    &[("url", &url), ("err", &e.to_string())],
                );
                None
            }
        }
    }

    /// The body of GET `route`, empty on failure (the reference's `httpGet`).
    pub fn get_text(&self, route: &str) -> String {
        self.get(route).map(|(_, b)| b).unwrap_or_default()
    }

    /// POST `route` with `form` urlencoded: the body and whether the status was 2xx.
    pub fn post(&self, route: &str, form: &[(&str, String)]) -> (String, bool) {
        self.post_with(route, form, &[])
    }

    /// [`Wizard::post`] with extra headers.
    pub fn post_with(
        &self,
        route: &str,
        form: &[(&str, String)],
        headers: &[(&str, &str)],
    ) -> (String, bool) {
        let (body, ok) = self.post_bytes(route, form, headers);
        (String::from_utf8_lossy(&body).into_owned(), ok)
    }

    /// [`Wizard::post_with`], the body as bytes (a signature).
    pub fn post_bytes(
        &self,
        route: &str,
        form: &[(&str, String)],
        headers: &[(&str, &str)],
    ) -> (Vec<u8>, bool) {
        let url = self.url(route);
        let r = self.rt.block_on(async {
            let mut req = self.client.post(&url).form(form);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let r = req.send().await?;
            let ok = r.status().is_success();
            Ok::<_, reqwest::Error>((r.bytes().await.unwrap_or_default().to_vec(), ok))
        });
        r.unwrap_or_else(|e| {
            log_error(
                "Error sending HTTP POST",
                &[("url", &url), ("err", &e.to_string())],
            );
            (Vec::new(), false)
        })
    }

    fn run_menu(&mut self) -> In<()> {
        let options = filtered(self);
        loop {
            println!();
            println!("What would you like to do? (default = stats)");
            for (i, o) in options.iter().enumerate() {
                println!("{}. {}", i + 1, o.desc);
            }
            let choice = self.read()?;
            match choice.parse::<usize>() {
                Ok(i) if (1..=options.len()).contains(&i) => (options[i - 1].run)(self)?,
                _ => log_error("That's not something I can do", &[]),
            }
        }
    }
}

const WELCOME: &str = "+-----------------------------------------------------------+
| Welcome to livepeer-cli, your Livepeer command line tool  |
|                                                           |
| This tool lets you interact with a local Livepeer node    |
| and participate in the Livepeer protocol without the\t    |
| hassle that it would normally entail.                     |
|                                                           |
+-----------------------------------------------------------+
";

/// Runs a session with the node at `-host`:`-http`, reading answers from stdin.
pub fn run(args: &CliToolArgs, rt: &tokio::runtime::Runtime) -> Result<ExitCode, ToolError> {
    let stdin = std::io::stdin();
    let input = Box::new(stdin.lock());
    let client = reqwest::Client::builder()
        .build()
        .map_err(|e| e.to_string())?;
    let ports: Vec<String> = match &args.http {
        Some(p) => vec![p.clone()],
        None => vec!["7935".into(), "5935".into()],
    };
    let answers = |port: &str| {
        let url = format!("http://{}:{port}/status", args.host);
        rt.block_on(client.get(&url).send()).is_ok()
    };
    let Some(port) = ports.iter().find(|p| answers(p)).cloned() else {
        log_error(
            &format!(
                "Cannot find local node. Is your node running on http:{}?",
                ports[0]
            ),
            &[],
        );
        return Ok(ExitCode::FAILURE);
    };
    let mut w = Wizard {
        rt,
        client,
        addr: format!("{}:{port}", args.host),
        http_port: port,
        orchestrator: false,
        redeemer: false,
        testnet: false,
        offchain: false,
        input,
    };
    w.orchestrator = w.get_text("IsOrchestrator") == "true";
    w.redeemer = w.get_text("IsRedeemer") == "true";
    let id = w.get_text("EthChainID");
    w.testnet = matches!(id.as_str(), "4" | "54321" | "421611");
    w.offchain = id == "0";
    println!("{WELCOME}");
    let _ = stats::stats(&mut w).and_then(|_| w.run_menu());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn menu(orchestrator: bool, testnet: bool) -> Vec<&'static str> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let w = Wizard {
            rt: &rt,
            client: reqwest::Client::new(),
            addr: String::new(),
            http_port: String::new(),
            orchestrator,
            redeemer: false,
            testnet,
            offchain: false,
            input: Box::new(std::io::empty()),
        };
        filtered(&w).iter().map(|o| o.desc).collect()
    }

    #[test]
    fn menus_are_filtered_by_role_as_the_reference_filters_them() {
        let b = menu(false, false);
        assert_eq!(b.len(), 21);
        assert_eq!(b[14], "Set broadcast config");
        assert!(!b.contains(&"Set maximum sessions"));
        let o = menu(true, false);
        assert_eq!(o.len(), 23);
        assert_eq!(o[10], "Invoke \"reward\"");
        assert_eq!(o[21], "Set maximum sessions");
        assert_eq!(menu(true, true).len(), 25);
    }
}
