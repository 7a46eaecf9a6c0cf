//! Where the node's flag values come from, as go-livepeer's flag library (peterbourgon/ff v3.4,
//! `ff.Parse` with `WithEnvVarPrefix("LP")`, `WithConfigFileFlag("config")` and `PlainParser`)
//! reads them: the command line first, then `LP_<NAME>` environment variables, then the
//! `-config` file. Only the top-level flags (the node's, `-dataDir`, `-network`, `-v`) have
//! these sources; a subcommand's own flags come from its command line.
//!
//! clap does the parsing: each top-level flag gets its `LP_` variable as its `env`, and the
//! config file's values become the flags' defaults, so clap's own order (command line, then
//! environment, then default) is ff's. Go booleans read `1`, `t`, `TRUE`, … as Go does.

use super::{reference_flags, Cli};
use clap::{
    error::{ContextKind, ContextValue, ErrorKind},
    parser::ValueSource,
    Arg, ArgMatches, CommandFactory, FromArgMatches,
};
use std::path::Path;

/// ff's environment variable for a flag: `LP_` + the name upper-cased, with `-`, `.` and `/`
/// turned into `_` (`-ethUrl` → `LP_ETHURL`).
pub fn env_name(flag: &str) -> String {
    let upper: String = flag
        .chars()
        .map(|c| match c {
            '-' | '.' | '/' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    format!("LP_{upper}")
}

/// The long names and aliases of `cmd`'s own flags.
pub fn top_level_names(cmd: &clap::Command) -> Vec<String> {
    cmd.get_arguments()
        .flat_map(|a| {
            a.get_long()
                .into_iter()
                .chain(a.get_all_aliases().unwrap_or_default())
                .map(String::from)
        })
        .collect()
}

/// Parses normalised argv (`--name` form) with the environment and the `-config` file.
pub fn parse(argv: Vec<String>) -> Result<Cli, clap::Error> {
    let first = command(&[]).try_get_matches_from(&argv).map_err(explain)?;
    let config = match first.get_one::<std::path::PathBuf>("config") {
        Some(path) => read_config(path, &command(&[]))?,
        None => Vec::new(),
    };
    let matches = if config.is_empty() {
        first
    } else {
        command(&config)
            .try_get_matches_from(&argv)
            .map_err(explain)?
    };
    let mut cli = Cli::from_arg_matches(&matches)?;
    if cli.command.is_none() {
        refuse_unimplemented_env()?;
    }
    cli.operator.given = given(&command(&[]), &matches, &config);
    cli.node.explicit = explicit(&matches, &config);
    Ok(cli)
}

/// The ids of the flags an operator gave (on the command line, in the environment or in the
/// config file), not left at their defaults: these win over runtime settings at start.
fn explicit(m: &ArgMatches, config: &[(String, String)]) -> std::collections::BTreeSet<String> {
    m.ids()
        .map(|id| id.as_str())
        .filter(|id| match m.value_source(id) {
            Some(ValueSource::CommandLine | ValueSource::EnvVariable) => true,
            Some(ValueSource::DefaultValue) => config.iter().any(|(c, _)| c == id),
            _ => false,
        })
        .map(String::from)
        .collect()
}

/// The top-level command with the `LP_` variables as `env` and `config` (arg id, value) as
/// defaults; every flag may be repeated (the last wins, as in Go).
fn command(config: &[(String, String)]) -> clap::Command {
    Cli::command().args_override_self(true).mut_args(|a| {
        let Some(long) = a.get_long().map(String::from) else {
            return a;
        };
        let mut a = if is_go_bool(&a) {
            a.value_parser(go_bool)
        } else {
            a
        };
        if let Some((_, v)) = config.iter().find(|(id, _)| id == a.get_id().as_str()) {
            a = a.default_value(v.clone());
        }
        let names: Vec<String> = std::iter::once(long.clone())
            .chain(
                a.get_all_aliases()
                    .unwrap_or_default()
                    .into_iter()
                    .map(String::from),
            )
            .map(|n| env_name(&n))
            .collect();
        // An empty variable counts as unset (ff skips it); an alias's variable serves when the
        // flag's own is unset.
        let set = |n: &String| std::env::var_os(n).is_some_and(|v| !v.is_empty());
        match names.iter().find(|n| set(n)) {
            Some(n) => a.env(n.clone()),
            None if std::env::var_os(&names[0]).is_some() => a,
            None => a.env(names[0].clone()),
        }
    })
}

/// A Go boolean flag: one that may be given without a value (`-monitor`, `-monitor=false`).
fn is_go_bool(a: &Arg) -> bool {
    a.get_num_args()
        .is_some_and(|r| r.min_values() == 0 && r.max_values() == 1)
}

/// Go's `strconv.ParseBool`.
fn go_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!(
            "parse error: {s:?} is not a boolean (true, false, 1, 0)"
        )),
    }
}

/// clap's unknown-argument error in go-livepeer's words, and a reference flag this node lacks
/// named as such.
fn explain(e: clap::Error) -> clap::Error {
    if e.kind() != ErrorKind::UnknownArgument {
        return e;
    }
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else {
        return e;
    };
    if !arg.starts_with('-') {
        return e;
    }
    let name = arg.trim_start_matches('-').split('=').next().unwrap_or("");
    let ours = top_level_names(&Cli::command());
    if ours.iter().any(|o| o == name) {
        return e; // a node flag after a subcommand: clap says where it belongs
    }
    let msg = if reference_flags::is_reference_flag(name) {
        reference_flags::not_implemented_message(name)
    } else {
        format!("flag provided but not defined: -{name}")
    };
    clap::Error::raw(
        ErrorKind::UnknownArgument,
        format!("{msg}\n\nFor the flags, try 'livepeer --help'.\n"),
    )
}

/// One `name value` line of a plain config file: (line number, name, value).
pub type ConfigLine = (usize, String, String);

/// ff's `PlainParser`: per line, the first token is the name (leading dashes dropped, as its
/// documentation says) and the rest the value; a bare name means `true`; empty lines and lines
/// starting with `#` are skipped, and ` #` starts a comment in a value.
pub fn parse_plain(text: &str) -> Vec<ConfigLine> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = match line.find([' ', '\t']) {
            None => (line, "true"),
            Some(at) => (&line[..at], line[at..].trim()),
        };
        let value = match value.find(" #") {
            Some(at) => value[..at].trim(),
            None => value,
        };
        out.push((
            i + 1,
            name.trim_start_matches('-').to_string(),
            value.to_string(),
        ));
    }
    out
}

/// The config file's values by arg id; a name that is no flag of `cmd` is an error (ff's
/// default), one of the reference's flags this node lacks is named as such.
fn read_config(path: &Path, cmd: &clap::Command) -> Result<Vec<(String, String)>, clap::Error> {
    let fail = |msg: String| {
        clap::Error::raw(
            ErrorKind::ValueValidation,
            format!("-config {}: {msg}\n", path.display()),
        )
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let mut out = Vec::new();
    for (line, name, value) in parse_plain(&text) {
        let arg = cmd.get_arguments().find(|a| {
            let long = a.get_long().unwrap_or_default();
            long == name
                || env_name(long) == name
                || a.get_all_aliases()
                    .unwrap_or_default()
                    .iter()
                    .any(|al| *al == name || env_name(al) == name)
        });
        match arg {
            Some(a) if a.get_id() == "config" => {}
            Some(a) => out.push((a.get_id().to_string(), value)),
            None if reference_flags::is_reference_flag(&name) => {
                return Err(fail(format!(
                    "line {line}: {}",
                    reference_flags::not_implemented_message(&name)
                )))
            }
            None => {
                return Err(fail(format!(
                    "line {line}: config file flag {name:?} not defined in flag set"
                )))
            }
        }
    }
    Ok(out)
}

/// A node run with an `LP_` variable of a reference flag this node lacks stops, rather than
/// run without the setting its operator meant.
fn refuse_unimplemented_env() -> Result<(), clap::Error> {
    for name in reference_flags::not_implemented(&Cli::command()) {
        let var = env_name(name);
        if std::env::var_os(&var).is_some_and(|v| !v.is_empty()) {
            return Err(clap::Error::raw(
                ErrorKind::UnknownArgument,
                format!(
                    "{var} is set: {}\n",
                    reference_flags::not_implemented_message(name)
                ),
            ));
        }
    }
    Ok(())
}

/// The flags given, each as `-name=value (where from)`; secrets are masked.
fn given(cmd: &clap::Command, m: &ArgMatches, config: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for a in cmd.get_arguments() {
        let (Some(long), id) = (a.get_long(), a.get_id().as_str()) else {
            continue;
        };
        let from = match m.value_source(id) {
            Some(ValueSource::CommandLine) => "command line".to_string(),
            Some(ValueSource::EnvVariable) => "environment".to_string(),
            Some(ValueSource::DefaultValue) if config.iter().any(|(c, _)| c == id) => {
                "config file".to_string()
            }
            _ => continue,
        };
        let secret = ["Password", "Secret"].iter().any(|s| long.contains(s));
        let value = match m.get_raw(id) {
            _ if secret => "***".to_string(),
            Some(vals) => vals
                .map(|v| v.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(","),
            None => "true".to_string(),
        };
        out.push(format!("-{long}={value} ({from})"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_follow_ff() {
        assert_eq!(env_name("ethUrl"), "LP_ETHURL");
        assert_eq!(env_name("maxSessions"), "LP_MAXSESSIONS");
        assert_eq!(env_name("a-b.c/d"), "LP_A_B_C_D");
    }

    #[test]
    fn plain_config_lines_read_as_ff_reads_them() {
        let text = "# a comment\n\nnetwork offchain\n-orchestrator\nmaxSessions 4 # four\n\
                    ethPassword pass#word\n  transcodingOptions  P240p30fps16x9 \n";
        let lines = parse_plain(text);
        let pairs: Vec<(&str, &str)> = lines
            .iter()
            .map(|(_, n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("network", "offchain"),
                ("orchestrator", "true"),
                ("maxSessions", "4"),
                ("ethPassword", "pass#word"),
                ("transcodingOptions", "P240p30fps16x9"),
            ]
        );
        assert_eq!(lines[0].0, 3, "line numbers count from 1");
    }

    #[test]
    fn go_booleans() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(go_bool(t), Ok(true));
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(go_bool(f), Ok(false));
        }
        assert!(go_bool("yes").is_err());
    }
}
