//! `multipart/mixed` bodies (RFC 1341) as go-livepeer writes them: a T's results to its O
//! (`/transcodeResults`, one part per rendition with a `Pixels` header) and a B's answer to an
//! HTTP push with `Accept: multipart/mixed`. Writing and reading; reading never panics and
//! answers a malformed body with a typed error.

/// One part: its headers (names as sent) and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// `(name, value)` pairs in order.
    pub headers: Vec<(String, String)>,
    /// The part's body.
    pub body: Vec<u8>,
}

impl Part {
    /// A header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a multipart body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultipartError {
    /// No `boundary=` in the content type.
    #[error("multipart content type without a boundary")]
    NoBoundary,
    /// The body does not follow the boundary structure.
    #[error("malformed multipart body: {0}")]
    Malformed(&'static str),
}

/// The boundary of a `multipart/mixed; boundary=…` content type.
pub fn boundary(content_type: &str) -> Result<String, MultipartError> {
    content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_string())
        .filter(|b| !b.is_empty())
        .ok_or(MultipartError::NoBoundary)
}

/// Writes `parts` between `boundary` lines (a `Content-Length` is added to each part).
pub fn write(boundary: &str, parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        for (n, v) in &p.headers {
            out.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
        }
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", p.body.len()).as_bytes());
        out.extend_from_slice(&p.body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// Reads the parts of `body`. A part's end is its `Content-Length` when given, else the next
/// boundary line.
pub fn read(boundary: &str, body: &[u8]) -> Result<Vec<Part>, MultipartError> {
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let mut at = find(body, delim, 0).ok_or(MultipartError::Malformed("no boundary"))?;
    let mut parts = Vec::new();
    loop {
        at += delim.len();
        if body.get(at..at + 2) == Some(b"--") {
            return Ok(parts);
        }
        at = find(body, b"\r\n", at).ok_or(MultipartError::Malformed("boundary line"))? + 2;
        // Headers end at an empty line (right away when the part has none).
        let (head_end, start) = if body.get(at..at + 2) == Some(b"\r\n") {
            (at, at + 2)
        } else {
            let e = find(body, b"\r\n\r\n", at).ok_or(MultipartError::Malformed("part headers"))?;
            (e, e + 4)
        };
        let head = std::str::from_utf8(&body[at..head_end])
            .map_err(|_| MultipartError::Malformed("part headers are not text"))?;
        let headers: Vec<(String, String)> = head
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        let len = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
            .and_then(|(_, v)| v.parse::<usize>().ok());
        let end = match len {
            Some(n) if start.checked_add(n).is_some_and(|e| e <= body.len()) => start + n,
            Some(_) => return Err(MultipartError::Malformed("part longer than the body")),
            None => {
                let mut next = Vec::with_capacity(delim.len() + 2);
                next.extend_from_slice(b"\r\n");
                next.extend_from_slice(delim);
                find(body, &next, start).ok_or(MultipartError::Malformed("unterminated part"))?
            }
        };
        parts.push(Part {
            headers,
            body: body[start..end].to_vec(),
        });
        at = find(body, delim, end).ok_or(MultipartError::Malformed("no closing boundary"))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(name: &str, body: &[u8]) -> Part {
        Part {
            headers: vec![
                ("Content-Type".into(), "video/mp2t".into()),
                ("Pixels".into(), name.into()),
            ],
            body: body.to_vec(),
        }
    }

    #[test]
    fn written_parts_read_back() {
        let parts = vec![part("1", b"abc\r\n--xyz"), part("2", b"")];
        let body = write("xyz", &parts);
        let back = read("xyz", &body).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].body, b"abc\r\n--xyz");
        assert_eq!(back[0].header("pixels"), Some("1"));
        assert_eq!(back[1].body, b"");
        assert_eq!(boundary("multipart/mixed; boundary=xyz").unwrap(), "xyz");
        assert_eq!(boundary("multipart/mixed"), Err(MultipartError::NoBoundary));
    }

    #[test]
    fn parts_without_length_end_at_the_next_boundary() {
        let body = b"--b\r\nPixels: 5\r\n\r\nhello\r\n--b\r\n\r\nx\r\n--b--\r\n";
        let parts = read("b", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].body, b"hello");
        assert_eq!(parts[1].body, b"x");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bodies_never_panic(b in "[a-z-]{1,8}", body in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = read(&b, &body);
            // Bodies built around the boundary too.
            let mut framed = format!("--{b}\r\n").into_bytes();
            framed.extend_from_slice(&body);
            let _ = read(&b, &framed);
        }
    }

    #[test]
    fn malformed_bodies_are_errors() {
        for body in [
            &b""[..],
            b"--b\r\nPixels: 5",
            b"--b\r\nContent-Length: 99\r\n\r\nshort\r\n--b--\r\n",
            b"--b\r\n\r\nno end",
            b"--b\r\nContent-Length: 18446744073709551615\r\n\r\nx",
        ] {
            assert!(read("b", body).is_err(), "{body:?}");
        }
    }
}
