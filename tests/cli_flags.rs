//! The operator's command line on the real binary, as go-livepeer's: flags in either dash style
//! with Go booleans and the reference's old aliases, `LP_` environment variables, a `-config`
//! file, the precedence flags > environment > file, the errors for unknown and unimplemented
//! flags, `-version`, the log's verbosity (`-v`) and no colour codes when stderr is a file, and
//! docs/flags.md as the code generates it.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The binary with `args`, this environment less its `LP_` variables and `RUST_LOG`, plus `env`.
fn livepeer(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_livepeer"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("LP_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd.args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    cmd
}

fn lp(args: &[&str], env: &[(&str, &str)]) -> Output {
    livepeer(args, env).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `log verify` on a folder with no log fails naming the folder: which `-dataDir` won.
fn verified_dir(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut all = args.to_vec();
    all.extend(["log", "verify"]);
    let out = lp(&all, env);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let e = stderr(&out);
    let at = e.find("no event log at ").expect(&e) + "no event log at ".len();
    e[at..].split("/events").next().unwrap().to_string()
}

#[test]
fn data_dir_in_either_dash_style_and_its_old_name() {
    for args in [
        ["-dataDir", "/nowhere/a"],
        ["--dataDir", "/nowhere/a"],
        ["-dataDir=/nowhere/a", "-v=3"],
        ["-datadir", "/nowhere/a"],
        ["--datadir=/nowhere/a", "--v=3"],
    ] {
        assert_eq!(verified_dir(&args, &[]), "/nowhere/a", "{args:?}");
    }
}

#[test]
fn flags_beat_the_environment_which_beats_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("livepeer.conf");
    std::fs::write(
        &conf,
        "# an operator's file\ndataDir /nowhere/file # from the file\n",
    )
    .unwrap();
    let conf = conf.to_str().unwrap();
    let env = [("LP_DATADIR", "/nowhere/env")];
    let flag = ["-config", conf, "-dataDir", "/nowhere/flag"];
    assert_eq!(verified_dir(&flag, &env), "/nowhere/flag");
    assert_eq!(verified_dir(&["-config", conf], &env), "/nowhere/env");
    assert_eq!(verified_dir(&["-config", conf], &[]), "/nowhere/file");
    // An empty variable is unset (ff skips it); the config file may come from LP_CONFIG.
    let env = [("LP_DATADIR", ""), ("LP_CONFIG", conf)];
    assert_eq!(verified_dir(&[], &env), "/nowhere/file");
}

/// A standalone T refuses `-maxSessions auto` at once: proof its flags were all read.
const T_AUTO: &str = "-maxSessions auto is for an orchestrator transcoding on remote \
                      transcoders; a transcoder needs a number greater than zero";

#[test]
fn go_booleans_environment_variables_and_config_files_set_the_node_s_flags() {
    let flags = [
        "-transcoder=t",
        "-orchestrator=0",
        "-gateway=FALSE",
        "--orchAddr",
        "127.0.0.1:1",
        "-orchSecret=s",
        "-maxSessions",
        "auto",
    ];
    let out = lp(&flags, &[]);
    assert!(stderr(&out).contains(T_AUTO), "{}", stderr(&out));
    let env = [
        ("LP_TRANSCODER", "1"),
        ("LP_ORCHADDR", "127.0.0.1:1"),
        ("LP_ORCHSECRET", "s"),
        ("LP_MAXSESSIONS", "auto"),
    ];
    let out = lp(&[], &env);
    assert!(stderr(&out).contains(T_AUTO), "{}", stderr(&out));
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("t.conf");
    std::fs::write(
        &conf,
        "transcoder\n-orchAddr 127.0.0.1:1\norchSecret s\nmaxSessions auto # as the O\n",
    )
    .unwrap();
    let out = lp(&["-config", conf.to_str().unwrap()], &[]);
    assert!(stderr(&out).contains(T_AUTO), "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(1));
    // Without -transcoder (the file's bare name) the node has nothing to run.
    std::fs::write(&conf, "transcoder false\n").unwrap();
    let out = lp(&["-config", conf.to_str().unwrap()], &[]);
    assert!(stderr(&out).contains("nothing to run"), "{}", stderr(&out));
}

#[test]
fn unknown_and_unimplemented_flags_are_refused_by_name() {
    let out = lp(&["-orchestrator", "-bogusFlag", "1"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: flag provided but not defined: -bogusFlag\n"));
    let out = lp(&["--netint=0"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(
            "error: -netint is a go-livepeer flag that this node does not implement yet\n"
        ),
        "{}",
        stderr(&out)
    );
    let out = lp(&["-transcoder"], &[("LP_AIWORKER", "true")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: LP_AIWORKER is set: -aiWorker is a go-livepeer flag"),
        "{}",
        stderr(&out)
    );
    let out = lp(&["-maxSessions", "0"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("-maxSessions must be 'auto' or greater than zero"));
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("bad.conf");
    for (line, want) in [
        (
            "bogus 1",
            "line 2: config file flag \"bogus\" not defined in flag set",
        ),
        ("netint all", "line 2: -netint is a go-livepeer flag"),
    ] {
        std::fs::write(&conf, format!("network offchain\n{line}\n")).unwrap();
        let out = lp(&["-config", conf.to_str().unwrap(), "-transcoder"], &[]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains(want), "{}", stderr(&out));
    }
    let out = lp(&["-config", "/nowhere/livepeer.conf"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("-config /nowhere/livepeer.conf: "));
}

#[test]
fn version_prints_the_node_version_and_exits() {
    for flag in ["-version", "--version", "-version=true"] {
        let out = lp(&[flag, "-orchestrator"], &[]);
        assert_eq!(out.status.code(), Some(0));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(
            stdout.lines().next(),
            Some(concat!(
                "Livepeer Node Version: ",
                env!("CARGO_PKG_VERSION")
            )),
            "{stdout}"
        );
        assert!(stdout.contains("\nArchitecture: "), "{stdout}");
    }
}

/// A standalone T pointed at a closed port: it warns about its orchestrator every 2 s.
fn t_log(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> String {
    let path = dir.join("stderr.log");
    let file = std::fs::File::create(&path).unwrap();
    let mut args = vec![
        "-transcoder",
        "-orchAddr",
        "127.0.0.1:1",
        "-orchSecret",
        "s",
    ];
    args.extend(extra);
    let mut child = livepeer(&args, env)
        .env("HOME", dir)
        .stdout(Stdio::null())
        .stderr(file)
        .spawn()
        .unwrap();
    let mut text = String::new();
    for _ in 0..200 {
        text = std::fs::read_to_string(&path).unwrap();
        if text.contains("orchestrator https://127.0.0.1:1") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    text
}

#[test]
fn log_lines_in_a_file_carry_no_colour_and_v_sets_the_level() {
    let dir = tempfile::tempdir().unwrap();
    let plain = t_log(dir.path(), &[], &[]);
    assert!(plain.contains(" WARN "), "{plain}");
    assert!(!plain.contains('\x1b'), "colour codes in a file: {plain:?}");
    assert!(!plain.contains("DEBUG"), "{plain}");
    let verbose = t_log(dir.path(), &["-v", "6"], &[]);
    assert!(!verbose.contains('\x1b'), "{verbose:?}");
    assert!(
        verbose.contains("DEBUG livepeer: flag -v=6 (command line)"),
        "{verbose}"
    );
    assert!(
        verbose.contains("flag -orchSecret=*** (command line)"),
        "{verbose}"
    );
    // RUST_LOG still names the filter.
    let quiet = t_log(dir.path(), &["-v", "6"], &[("RUST_LOG", "warn")]);
    assert!(
        quiet.contains(" WARN ") && !quiet.contains("DEBUG"),
        "{quiet}"
    );
}

#[test]
fn the_reference_s_aliases_read_as_its_current_names() {
    let parse = |args: &[&str]| {
        let argv = std::iter::once("livepeer").chain(args.iter().copied());
        livepeer::cli::parse_from(argv.map(String::from)).unwrap()
    };
    let old = parse(&[
        "-broadcaster",
        "-pricePerBroadcaster",
        "{}",
        "-datadir",
        "/x",
    ]);
    let new = parse(&["-gateway", "-pricePerGateway", "{}", "-dataDir", "/x"]);
    assert_eq!(old.node, new.node);
    assert_eq!(old.global, new.global);
    assert!(new.node.broadcaster);
    // Repeating a flag is allowed, the last one wins (Go's flag package).
    let twice = parse(&["-gateway", "-broadcaster=false"]);
    assert!(!twice.node.broadcaster);
}

#[test]
fn docs_flags_md_is_what_the_code_generates() {
    let out = lp(&["debug", "flag-table"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let generated = String::from_utf8(out.stdout).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/flags.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        generated == committed,
        "docs/flags.md differs from the flags in the code; regenerate it with\n  \
         cargo run -- debug flag-table > docs/flags.md"
    );
}
