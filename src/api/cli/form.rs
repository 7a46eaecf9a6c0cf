//! A CLI request's form values, read as Go's `r.FormValue` reads them: an urlencoded or
//! `multipart/form-data` POST body first, then the query string; the first value of a name
//! wins; an empty value is no value.

use crate::api::multipart;

/// The form values of one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Form {
    pairs: Vec<(String, String)>,
    /// The `SigFormat` header (`/signMessage`: `data/typed` signs EIP-712 typed data).
    pub sig_format: String,
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// `%xx` and `+` decoded (a bad escape is kept as written).
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn urlencoded(text: &str) -> impl Iterator<Item = (String, String)> + '_ {
    text.split('&').filter(|p| !p.is_empty()).map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        (unescape(k), unescape(v))
    })
}

/// The `name` of a `Content-Disposition: form-data; name="…"` header.
fn field_name(disposition: &str) -> Option<String> {
    disposition.split(';').map(str::trim).find_map(|p| {
        let v = p.strip_prefix("name=")?;
        Some(v.trim_matches('"').to_string())
    })
}

impl Form {
    /// The form of a request: its body (by `content_type`) and its `query`.
    pub fn read(
        query: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Form, String> {
        let mut pairs = Vec::new();
        let ct = content_type.unwrap_or_default();
        let kind = ct
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if kind == "application/x-www-form-urlencoded" {
            pairs.extend(urlencoded(&String::from_utf8_lossy(body)));
        } else if kind == "multipart/form-data" {
            let boundary = multipart::boundary(ct).map_err(|e| format!("parse form error: {e}"))?;
            let parts =
                multipart::read(&boundary, body).map_err(|e| format!("parse form error: {e}"))?;
            for p in parts {
                if let Some(name) = p.header("Content-Disposition").and_then(field_name) {
                    pairs.push((name, String::from_utf8_lossy(&p.body).into_owned()));
                }
            }
        }
        pairs.extend(urlencoded(query.unwrap_or_default()));
        Ok(Form {
            pairs,
            sig_format: String::new(),
        })
    }

    /// A form of these pairs (tests, `livepeer chain`).
    pub fn of(pairs: &[(&str, &str)]) -> Form {
        Form {
            pairs: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            sig_format: String::new(),
        }
    }

    /// `name`'s value as `r.FormValue` gives it: the first one, `""` when absent.
    pub fn value(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// `name`'s value when given and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        Some(self.value(name)).filter(|v| !v.is_empty())
    }

    /// go-livepeer's `mustHaveFormParams`: the first of `names` that is missing or empty, as
    /// `missing form param: <name>`.
    pub fn require(&self, names: &[&str]) -> Result<(), String> {
        match names.iter().find(|n| self.get(n).is_none()) {
            Some(n) => Err(format!("missing form param: {n}")),
            None => Ok(()),
        }
    }

    /// Every pair, first to last (the chain actions read them by name).
    pub fn to_map(&self) -> std::collections::BTreeMap<String, String> {
        let mut m = std::collections::BTreeMap::new();
        for (k, v) in &self.pairs {
            m.entry(k.clone()).or_insert_with(|| v.clone());
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_comes_before_the_query_and_escapes_decode() {
        let f = Form::read(
            Some("a=query&b=x%2Cy+z&bad=%zz"),
            Some("application/x-www-form-urlencoded"),
            b"a=body&e=",
        )
        .unwrap();
        assert_eq!(f.value("a"), "body");
        assert_eq!(f.value("b"), "x,y z");
        assert_eq!(f.value("bad"), "%zz");
        assert_eq!(f.get("e"), None);
        assert_eq!(f.require(&["a", "e"]), Err("missing form param: e".into()));
    }

    #[test]
    fn multipart_form_data_reads_as_curl_sends_it() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"maxSessions\"\r\n\r\n3\r\n--XyZ--\r\n";
        let f = Form::read(None, Some("multipart/form-data; boundary=XyZ"), body).unwrap();
        assert_eq!(f.value("maxSessions"), "3");
        assert!(Form::read(None, Some("multipart/form-data"), b"").is_err());
    }
}
