//! The code the tidy rules read: comments and string contents blanked, `#[cfg(test)]` items
//! blanked, and a small tokenizer over what is left. Every blanking keeps the newlines, so line
//! `n` of the cleaned text is line `n` of the file.

/// One token of cleaned code: an identifier, a number, a lifetime, `::`, `->`, `=>` or a single
/// punctuation character, with its 1-based line and its byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tok {
    pub text: String,
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

impl Tok {
    pub fn is(&self, s: &str) -> bool {
        self.text == s
    }

    pub fn is_ident(&self) -> bool {
        self.text
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `text` with every comment (`//`, `///`, `//!`, nested `/* */`) and the contents of every
/// string, raw string, byte string and char literal replaced by spaces; delimiters and newlines
/// stay.
pub fn strip(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied();
        if ch == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                blank(&mut out, c[i]);
                i += 1;
            }
        } else if ch == '/' && next == Some('*') {
            let mut depth = 0usize;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if ch == '"' {
            // A raw string when the quote follows `r#*` that starts a token (`r`, `br`, `cr`).
            let mut hashes = 0;
            while i > hashes && c[i - 1 - hashes] == '#' {
                hashes += 1;
            }
            let r = i.checked_sub(hashes + 1).map(|k| (k, c[k]));
            let raw = r.is_some_and(|(k, rc)| {
                rc == 'r'
                    && (k == 0
                        || !is_ident_char(c[k - 1])
                        || ((c[k - 1] == 'b' || c[k - 1] == 'c')
                            && (k == 1 || !is_ident_char(c[k - 2]))))
            });
            let hashes = if raw { hashes } else { 0 };
            out.push('"');
            i += 1;
            while i < c.len() {
                if !raw && c[i] == '\\' {
                    blank(&mut out, c[i]);
                    if i + 1 < c.len() {
                        blank(&mut out, c[i + 1]);
                    }
                    i += 2;
                } else if c[i] == '"' && (0..hashes).all(|h| c.get(i + 1 + h) == Some(&'#')) {
                    out.push('"');
                    i += 1;
                    break;
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if ch == '\'' {
            // A char literal (`'x'`, `'\n'`, `'\u{..}'`) is blanked; a lifetime or label is kept.
            let end = if next == Some('\\') {
                (i + 2..c.len()).find(|&k| c[k] == '\'' && k > i + 2)
            } else if c.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => {
                    out.push('\'');
                    for &x in &c[i + 1..e] {
                        blank(&mut out, x);
                    }
                    out.push('\'');
                    i = e + 1;
                }
                None => {
                    out.push(ch);
                    i += 1;
                }
            }
        } else {
            out.push(ch);
            i += 1;
        }
    }
    out
}

/// The tokens of already stripped code.
pub fn tokens(code: &str) -> Vec<Tok> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < b.len() {
        let ch = b[i];
        let start = i;
        if ch == b'\n' {
            line += 1;
            i += 1;
            continue;
        }
        if ch.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let word = |mut k: usize| {
            while k < b.len() && (b[k] == b'_' || b[k].is_ascii_alphanumeric() || b[k] >= 0x80) {
                k += 1;
            }
            k
        };
        if ch == b'r'
            && b.get(i + 1) == Some(&b'#')
            && b.get(i + 2)
                .is_some_and(|x| x.is_ascii_alphabetic() || *x == b'_')
        {
            // A raw identifier `r#type`: the token is the bare name.
            let e = word(i + 2);
            out.push(tok(code, i + 2, e, line));
            out.last_mut().unwrap().start = start;
            i = e;
        } else if ch == b'_' || ch.is_ascii_alphanumeric() || ch >= 0x80 {
            i = word(i);
            out.push(tok(code, start, i, line));
        } else if ch == b'\'' {
            i = word(i + 1);
            out.push(tok(code, start, i, line));
        } else {
            let two = b.get(i + 1).map(|&n| [ch, n]);
            i += match two {
                Some([b':', b':']) | Some([b'-', b'>']) | Some([b'=', b'>']) => 2,
                _ => 1,
            };
            out.push(tok(code, start, i, line));
        }
    }
    out
}

fn tok(code: &str, start: usize, end: usize, line: usize) -> Tok {
    Tok {
        text: code[start..end].to_string(),
        line,
        start,
        end,
    }
}

/// Whether `toks[i..]` starts with `#[cfg(test)]` (or `#![cfg(test)]` when `inner`).
fn cfg_test_at(toks: &[Tok], i: usize, inner: bool) -> Option<usize> {
    let want: &[&str] = if inner {
        &["#", "!", "[", "cfg", "(", "test", ")", "]"]
    } else {
        &["#", "[", "cfg", "(", "test", ")", "]"]
    };
    (toks.len() >= i + want.len() && want.iter().zip(&toks[i..]).all(|(w, t)| t.is(w)))
        .then_some(i + want.len())
}

/// The index just past the item starting at `toks[i]` (after its attributes): past a `;` or `,`
/// at depth 0, past the `}` that closes a `{` opened at depth 0, or before an unmatched closer.
fn item_end(toks: &[Tok], mut i: usize) -> usize {
    while i < toks.len() && toks[i].is("#") {
        // Further attributes: skip to the matching `]`.
        let mut depth = 0;
        i += 1;
        while i < toks.len() {
            match toks[i].text.as_str() {
                "[" => depth += 1,
                "]" => {
                    depth -= 1;
                    if depth == 0 {
                        i += 1;
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    let (mut paren, mut angle) = (0i32, 0i32);
    while i < toks.len() {
        match toks[i].text.as_str() {
            "(" | "[" => paren += 1,
            ")" | "]" | "}" if paren == 0 => return i,
            ")" | "]" => paren -= 1,
            "<" => angle += 1,
            ">" if angle > 0 => angle -= 1,
            ";" if paren == 0 => return i + 1,
            "," if paren == 0 && angle == 0 => return i + 1,
            "{" if paren == 0 => {
                let mut depth = 0;
                while i < toks.len() {
                    match toks[i].text.as_str() {
                        "{" => depth += 1,
                        "}" => {
                            depth -= 1;
                            if depth == 0 {
                                return i + 1;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                return i;
            }
            "{" => paren += 1,
            "}" => paren -= 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// The production code of a file: `strip`ped, then every `#[cfg(test)]` item blanked (a
/// `mod x;` is one line; a `mod x { .. }` runs to its closing brace; a whole file when it
/// starts with `#![cfg(test)]`). Unlike a cut at the first `#[cfg(test)]`, code after a
/// `#[cfg(test)] mod tests;` near the top is still production code.
pub fn production(text: &str) -> String {
    let stripped = strip(text);
    let toks = tokens(&stripped);
    let mut bytes = stripped.clone().into_bytes();
    let mut blank = |from: usize, to: usize| {
        for x in &mut bytes[from..to] {
            if *x != b'\n' {
                *x = b' ';
            }
        }
    };
    let mut depth = 0;
    let mut i = 0;
    while i < toks.len() {
        if depth == 0 && cfg_test_at(&toks, i, true).is_some() {
            blank(0, stripped.len());
            break;
        }
        if let Some(after) = cfg_test_at(&toks, i, false) {
            let end = item_end(&toks, after);
            let to = if end > 0 && end <= toks.len() && end > after {
                toks[end - 1].end
            } else {
                toks[after - 1].end
            };
            blank(toks[i].start, to);
            i = end.max(after);
            continue;
        }
        match toks[i].text.as_str() {
            "{" => depth += 1,
            "}" => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    String::from_utf8(bytes).unwrap()
}
