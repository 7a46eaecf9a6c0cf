//! `-maxSessions`: a number above zero, or `auto` (go-livepeer's `StartLivepeer` and
//! `serveTranscoder`). On an orchestrator that transcodes only on remote transcoders, `auto`
//! makes its session limit the sum of the capacities its attached transcoders advertised: 0
//! until one attaches, following them as they come and go. The reference refuses `auto` on an
//! O that also transcodes itself (`-transcoder`), and on any other role (a broadcaster's RTMP
//! stream limit, a transcoder's advertised capacity), where it needs a number.

use std::str::FromStr;

/// A parsed `-maxSessions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxSessions {
    /// At most this many (above zero).
    Limit(u32),
    /// An O's: the attached remote transcoders' total capacity.
    Auto,
}

impl Default for MaxSessions {
    /// go-livepeer's default, 10.
    fn default() -> Self {
        MaxSessions::Limit(10)
    }
}

impl FromStr for MaxSessions {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "auto" => Ok(MaxSessions::Auto),
            n => match n.parse::<u32>() {
                Ok(n) if n > 0 => Ok(MaxSessions::Limit(n)),
                _ => Err("-maxSessions must be 'auto' or greater than zero".into()),
            },
        }
    }
}

impl std::fmt::Display for MaxSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MaxSessions::Limit(n) => write!(f, "{n}"),
            MaxSessions::Auto => f.write_str("auto"),
        }
    }
}

impl MaxSessions {
    /// The number a broadcaster or a transcoder needs (`role` names it in the error).
    pub fn number(self, role: &str) -> Result<u32, String> {
        match self {
            MaxSessions::Limit(n) => Ok(n),
            MaxSessions::Auto => Err(format!(
                "-maxSessions auto is for an orchestrator transcoding on remote transcoders; \
                 a {role} needs a number greater than zero"
            )),
        }
    }

    /// An O's: `None` for `auto` (the remote transcoders' capacity), refused with
    /// `-transcoder` as the reference refuses it.
    pub fn for_orchestrator(self, transcodes_itself: bool) -> Result<Option<u32>, String> {
        match self {
            MaxSessions::Limit(n) => Ok(Some(n)),
            MaxSessions::Auto if transcodes_itself => Err(
                "-maxSessions 'auto' cannot be used when both -orchestrator and -transcoder are \
                 specified"
                    .into(),
            ),
            MaxSessions::Auto => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MaxSessions;

    #[test]
    fn numbers_above_zero_or_auto() {
        assert_eq!("10".parse(), Ok(MaxSessions::Limit(10)));
        assert_eq!("auto".parse(), Ok(MaxSessions::Auto));
        for bad in ["0", "-1", "many", ""] {
            let e = bad.parse::<MaxSessions>().unwrap_err();
            assert_eq!(e, "-maxSessions must be 'auto' or greater than zero");
        }
        assert_eq!(MaxSessions::Auto.for_orchestrator(false), Ok(None));
        assert!(MaxSessions::Auto
            .for_orchestrator(true)
            .unwrap_err()
            .contains("both -orchestrator and -transcoder"));
        assert!(MaxSessions::Auto.number("broadcaster").is_err());
        assert_eq!(MaxSessions::Limit(3).number("transcoder"), Ok(3));
    }
}
