//! go-livepeer's `parseManifestID`: how a path or a webhook's `manifestID` names a stream.

/// go-livepeer's `parseManifestID`: the path's extension dropped, leading spaces and slashes and a
/// `stream/` prefix removed, then every `live/` (the reference's regex
/// `^[ /]*(stream/)?|(live/)?`, quirks included: a `live/` at the very start of a bare name
/// stays), and the first path element kept.
pub fn parse_manifest_id(path: &str) -> String {
    let last = path.rfind('/').map_or(0, |i| i + 1);
    let path = match path[last..].rfind('.') {
        Some(dot) => &path[..last + dot],
        None => path,
    };
    let lead = path.len() - path.trim_start_matches([' ', '/']).len();
    let head = lead
        + if path[lead..].starts_with("stream/") {
            7
        } else {
            0
        };
    // The first alternative matched `head` bytes at 0; an empty match there moves the search on
    // by one character before `live/` may match.
    let from = if head > 0 {
        head
    } else {
        path.chars().next().map_or(0, char::len_utf8)
    };
    let cleaned = format!("{}{}", &path[head..from], path[from..].replace("live/", ""));
    cleaned.split('/').next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_ids_parse_as_the_reference_parses_them() {
        for (path, id) in [
            ("renamed", "renamed"),
            ("/stream/abc.m3u8", "abc"),
            ("/live/movie/0.ts", "movie"),
            ("stream/live/x", "x"),
            ("  //stream/a/b", "a"),
            ("a.b/c", "a.b"),
            ("m.v.ts", "m.v"),
            ("live/abc", "live"),
            ("", ""),
        ] {
            assert_eq!(parse_manifest_id(path), id, "{path:?}");
        }
    }
}
