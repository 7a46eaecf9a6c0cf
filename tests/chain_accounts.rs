//! A node on a chain, through the binary, against `livepeer devchain`: the O unlocks its account
//! from a geth v3 keystore (`-ethKeystorePath`, `-ethAcctAddr`, `-ethPassword` as a file), finds
//! the TicketBroker through `-ethController` and says where it stands; clear refusals for several
//! accounts without `-ethAcctAddr`, a wrong password, no account without a password; a new
//! account created when none exists and a password is given; and a datadir that has seen chain
//! 1337 refused on chain 1338.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod orch_support;

use chain_support::devchain;
use orch_support::{free_port, Node};
use std::{
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Runs the node expecting it to refuse to start; its stderr.
fn refused(datadir: &Path, args: &[&str]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args(args)
        .arg("-datadir")
        .arg(datadir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let at = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(1), "{args:?}");
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            return err;
        }
        if at.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("{args:?} did not refuse to start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_orchestrator_on_the_devchain_unlocks_its_account_and_keeps_to_its_chain() {
    let dir = tempfile::tempdir().unwrap();
    let chain = devchain(&dir.path().join("dc"), 1337);
    let j = &chain.json;
    let url = j["ethUrl"].as_str().unwrap().to_string();
    let controller = j["controller"].as_str().unwrap().to_string();
    let keystore = j["keystoreDir"].as_str().unwrap().to_string();
    let password = j["password"].as_str().unwrap().to_string();
    let o_addr = j["accounts"]["orchestrator"]["address"]
        .as_str()
        .unwrap()
        .to_string();
    let service = format!("127.0.0.1:{}", free_port());
    let base = [
        "-orchestrator",
        "-transcoder",
        "-network",
        "devchain",
        "-serviceAddr",
        service.as_str(),
        "-ethUrl",
        url.as_str(),
        "-ethController",
        controller.as_str(),
        "-pricePerUnit",
        "1",
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        base.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let o_dir = dir.path().join("o");

    // Two accounts in the keystore: the O must be told which.
    let v = with(&["-ethKeystorePath", &keystore, "-ethPassword", &password]);
    let err = refused(&o_dir, &args(&v));
    assert!(
        err.contains("2 accounts in") && err.contains("-ethAcctAddr"),
        "{err}"
    );
    // The wrong password.
    let v = with(&[
        "-ethKeystorePath",
        &keystore,
        "-ethAcctAddr",
        &o_addr,
        "-ethPassword",
        "nope",
    ]);
    let err = refused(&o_dir, &args(&v));
    assert!(err.contains("wrong -ethPassword"), "{err}");

    // The right account: the O serves and says where it stands on the chain.
    let v = with(&[
        "-ethKeystorePath",
        &keystore,
        "-ethAcctAddr",
        &o_addr,
        "-ethPassword",
        &password,
    ]);
    let mut o = Node::start(&o_dir, &args(&v));
    let line = o.line("On chain id");
    assert!(line.contains("On chain id 1337"), "{line}");
    assert!(
        line.to_lowercase().contains(&o_addr.to_lowercase()),
        "{line}"
    );
    assert!(
        line.contains(j["contracts"]["TicketBroker"].as_str().unwrap()),
        "{line}"
    );
    o.line("serving");
    let seen = o.seen.clone();
    let (status, _) = o.sigterm();
    assert!(status.success(), "{status:?}: {seen:?}");

    // No account yet: refused without a password, created with one.
    let fresh = dir.path().join("fresh");
    let empty_keys = fresh.join("keystore");
    std::fs::create_dir_all(&empty_keys).unwrap();
    let err = refused(&fresh, &args(&with(&[])));
    assert!(
        err.contains("no Ethereum account in") && err.contains("-ethPassword"),
        "{err}"
    );
    let mut o = Node::start(&fresh, &args(&with(&["-ethPassword", "s3cret"])));
    let line = o.line("On chain id 1337");
    let made: Vec<_> = std::fs::read_dir(&empty_keys).unwrap().collect();
    assert_eq!(made.len(), 1, "one new keystore");
    let name = made[0].as_ref().unwrap().file_name().into_string().unwrap();
    assert!(
        line.to_lowercase()
            .contains(name.rsplit("--").next().unwrap()),
        "{line} {name}"
    );
    drop(o);

    // The O's datadir has seen chain 1337: another chain is refused.
    let other = devchain(&dir.path().join("dc2"), 1338);
    let url2 = other.json["ethUrl"].as_str().unwrap().to_string();
    let controller2 = other.json["controller"].as_str().unwrap().to_string();
    let v: Vec<String> = [
        "-orchestrator",
        "-transcoder",
        "-network",
        "devchain",
        "-serviceAddr",
        &service,
        "-ethUrl",
        &url2,
        "-ethController",
        &controller2,
        "-ethKeystorePath",
        &keystore,
        "-ethAcctAddr",
        &o_addr,
        "-ethPassword",
        &password,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let err = refused(&o_dir, &args(&v));
    assert!(
        err.contains("belongs to chain id 1337") && err.contains("chain id 1338"),
        "{err}"
    );
}

/// Without `-ethPassword`, at a terminal (`script` gives the node one), the password is asked
/// for, not echoed, and a new account is created with it.
#[test]
fn at_a_terminal_the_password_is_asked_for() {
    use std::io::{BufRead, Write};
    let dir = tempfile::tempdir().unwrap();
    let chain = devchain(&dir.path().join("dc"), 1337);
    let j = &chain.json;
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let cmdline = format!(
        "{} -broadcaster -orchAddr 127.0.0.1:1 -network devchain -ethUrl {} -ethController {} \
         -ethKeystorePath {} -httpAddr 127.0.0.1:0 -rtmpAddr 127.0.0.1:0 -cliAddr 127.0.0.1:{} \
         -datadir {}",
        env!("CARGO_BIN_EXE_livepeer"),
        j["ethUrl"].as_str().unwrap(),
        j["controller"].as_str().unwrap(),
        keys.display(),
        free_port(),
        dir.path().join("b").display()
    );
    let mut tty = std::process::Command::new("script")
        .args(["-qec", &cmdline, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = tty.stdin.take().unwrap();
    let mut lines = std::io::BufReader::new(tty.stdout.take().unwrap());
    let mut seen = String::new();
    let mut answered = false;
    let mut buf = Vec::new();
    while !seen.contains("On chain id") {
        buf.clear();
        // The prompt ends without a newline: read up to its colon and space too.
        let n = lines.read_until(b' ', &mut buf).unwrap();
        assert!(n > 0, "the node ended: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf));
        if !answered && seen.contains("password (-ethPassword):") {
            input.write_all(b"s3cret\n").unwrap();
            answered = true;
        }
    }
    let _ = tty.kill();
    let _ = tty.wait();
    // The node under `script` ends with its terminal; make sure before reading the keystore.
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(answered, "{seen}");
    assert!(
        !seen.contains("s3cret"),
        "the password is not echoed: {seen}"
    );
    let files: Vec<_> = std::fs::read_dir(&keys).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "one account created");
    assert!(eth_keystore::decrypt_key(files[0].path(), "s3cret").is_ok());
}
