//! go-livepeer flag style: `-datadir DIR` means `--datadir DIR`, `-flag=false` sets a boolean.
//!
//! clap reads `-datadir` as the short flags `-d -a -t …`, so argv is normalised before parsing:
//! an argument of one dash followed by a name of two or more characters gains a second dash.

/// Rewrites single-dash long flags to the double-dash form clap understands.
pub fn normalise<I: IntoIterator<Item = String>>(args: I) -> Vec<String> {
    let mut out = Vec::new();
    let mut after_separator = false;
    for (i, arg) in args.into_iter().enumerate() {
        if i == 0 || after_separator {
            out.push(arg);
            continue;
        }
        if arg == "--" {
            after_separator = true;
            out.push(arg);
            continue;
        }
        let is_single_dash_long = arg.starts_with('-')
            && !arg.starts_with("--")
            && arg
                .get(1..)
                .map(|rest| {
                    let name = rest.split('=').next().unwrap_or("");
                    name.len() >= 2 && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                })
                .unwrap_or(false);
        if is_single_dash_long {
            out.push(format!("-{arg}"));
        } else {
            out.push(arg);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalise;

    fn n(args: &[&str]) -> Vec<String> {
        normalise(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn single_dash_long_flags_gain_a_dash() {
        assert_eq!(
            n(&["lp", "-datadir", "/x", "--network", "y"]),
            ["lp", "--datadir", "/x", "--network", "y"]
        );
        assert_eq!(
            n(&["lp", "-orchestrator=false"]),
            ["lp", "--orchestrator=false"]
        );
        assert_eq!(
            n(&["lp", "-v", "-5", "-"]),
            ["lp", "-v", "-5", "-"],
            "short flags, numbers and stdin stay"
        );
        assert_eq!(n(&["lp", "--", "-datadir"]), ["lp", "--", "-datadir"]);
    }
}
