//! Every path a file's production code names into the crate: each leaf of every `use` tree
//! (grouped, renamed, globbed) and every `crate::`, `super::` and `self::` path in expressions,
//! types and attributes, resolved against the file's module (and the inline `mod x { }` it is
//! in) to an absolute path under the crate root.

use crate::clean::{production, tokens, Tok};

/// A path segment and the line it is on.
pub type Seg = (String, usize);

/// One path the code names.
#[derive(Clone, Debug, Default)]
pub struct PathRef {
    /// The segments as written (`super`, `self`, `crate` included).
    pub raw: Vec<Seg>,
    /// The path from the crate root, when it starts with `crate`, `$crate`, `super` or `self`;
    /// `super`s that resolve to a module carry the line of the last `super`.
    pub abs: Option<Vec<Seg>>,
    /// A `use` leaf ending in `*`.
    pub glob: bool,
    /// Part of a `use` declaration.
    pub in_use: bool,
    /// Part of a `pub use` (any visibility).
    pub is_pub: bool,
    /// The name a `use` leaf binds (its `as` name, or its last segment).
    pub binding: Option<String>,
    /// The line of the `use` keyword, or of the first segment outside a `use`.
    pub line: usize,
}

/// The module a file under `src/` is: `src/a/b.rs` is `[a, b]`, `src/a/mod.rs` is `[a]`,
/// `src/lib.rs` and `src/main.rs` are the root `[]`.
pub fn module_of(rel: &str) -> Vec<String> {
    let p = rel.strip_prefix("src/").unwrap_or(rel);
    let p = p.strip_suffix(".rs").unwrap_or(p);
    let mut m: Vec<String> = p.split('/').map(str::to_string).collect();
    if m.last().is_some_and(|l| l == "mod") || (m.len() == 1 && (m[0] == "lib" || m[0] == "main")) {
        m.pop();
    }
    m
}

/// The top-level module of a file (`src/api/segment.rs` is `api`), `None` for the root files.
pub fn top_module(rel: &str) -> Option<String> {
    module_of(rel).into_iter().next()
}

/// `raw` resolved from module `here`; `None` for a path that does not start at the crate
/// (an external crate, a local name) or climbs above the root.
fn resolve(raw: &[Seg], here: &[String]) -> Option<Vec<Seg>> {
    let first = raw.first()?;
    match first.0.as_str() {
        "crate" => Some(raw[1..].to_vec()),
        "self" => {
            let mut abs: Vec<Seg> = here.iter().map(|m| (m.clone(), first.1)).collect();
            abs.extend_from_slice(&raw[1..]);
            Some(abs)
        }
        "super" => {
            let ups = raw.iter().take_while(|s| s.0 == "super").count();
            let base = here.len().checked_sub(ups)?;
            let line = raw[ups - 1].1;
            let mut abs: Vec<Seg> = here[..base].iter().map(|m| (m.clone(), line)).collect();
            abs.extend_from_slice(&raw[ups..]);
            Some(abs)
        }
        _ => None,
    }
}

struct Walk<'a> {
    t: &'a [Tok],
    here: Vec<String>,
    out: Vec<PathRef>,
}

impl Walk<'_> {
    fn text(&self, i: usize) -> &str {
        self.t.get(i).map_or("", |t| t.text.as_str())
    }

    /// Parses the use tree at `i` under `prefix`; returns the index after it.
    fn use_tree(&mut self, mut i: usize, mut prefix: Vec<Seg>, kw: usize, is_pub: bool) -> usize {
        loop {
            match self.text(i) {
                "{" => {
                    i += 1;
                    while i < self.t.len() && !self.t[i].is("}") {
                        i = self.use_tree(i, prefix.clone(), kw, is_pub);
                        if self.t.get(i).is_some_and(|t| t.is(",")) {
                            i += 1;
                        }
                    }
                    return i + 1;
                }
                "*" => {
                    self.leaf(prefix, true, None, kw, is_pub);
                    return i + 1;
                }
                "::" => i += 1,
                "$" => i += 1,
                _ if self.t.get(i).is_some_and(Tok::is_ident) => {
                    let name = self.text(i).to_string();
                    prefix.push((name.clone(), self.t[i].line));
                    i += 1;
                    if self.text(i) == "::" {
                        i += 1;
                        continue;
                    }
                    let mut binding = if name == "self" {
                        prefix.pop();
                        prefix.last().map(|s| s.0.clone())
                    } else {
                        Some(name)
                    };
                    if self.text(i) == "as" {
                        binding = Some(self.text(i + 1).to_string());
                        i += 2;
                    }
                    self.leaf(prefix, false, binding, kw, is_pub);
                    return i;
                }
                _ => return i + 1,
            }
        }
    }

    fn leaf(
        &mut self,
        raw: Vec<Seg>,
        glob: bool,
        binding: Option<String>,
        kw: usize,
        is_pub: bool,
    ) {
        let abs = resolve(&raw, &self.here);
        let line = self.t[kw].line;
        self.out.push(PathRef {
            raw,
            abs,
            glob,
            in_use: true,
            is_pub,
            binding,
            line,
        });
    }

    /// Whether the `use` at `i` has a visibility (`pub`, `pub(crate)`, `pub(in ..)`).
    fn is_pub_use(&self, i: usize) -> bool {
        let Some(mut k) = i.checked_sub(1) else {
            return false;
        };
        if self.t[k].is(")") {
            while k > 0 && !self.t[k].is("(") {
                k -= 1;
            }
            k = k.saturating_sub(1);
        }
        self.t[k].is("pub")
    }

    fn run(&mut self) {
        // Inline modules: (name, brace depth inside them).
        let mut inline: Vec<(String, i32)> = Vec::new();
        let file_module = self.here.clone();
        let mut depth = 0;
        let mut i = 0;
        while i < self.t.len() {
            let prev = i.checked_sub(1).map_or("", |p| self.text(p));
            match self.text(i) {
                "{" => depth += 1,
                "}" => {
                    depth -= 1;
                    if inline.last().is_some_and(|m| m.1 > depth) {
                        inline.pop();
                        self.here = file_module.clone();
                        self.here.extend(inline.iter().map(|m| m.0.clone()));
                    }
                }
                "mod"
                    if self.t.get(i + 1).is_some_and(Tok::is_ident) && self.text(i + 2) == "{" =>
                {
                    inline.push((self.text(i + 1).to_string(), depth + 1));
                    self.here.push(self.text(i + 1).to_string());
                }
                "use" if prev != "::" && prev != "." => {
                    let is_pub = self.is_pub_use(i);
                    let mut k = i + 1;
                    while k < self.t.len() && !self.t[k].is(";") {
                        k = self.use_tree(k, Vec::new(), i, is_pub);
                    }
                    i = k + 1;
                    continue;
                }
                "crate" | "super" | "self" if prev != "::" && self.text(i + 1) == "::" => {
                    let mut raw = vec![(self.text(i).to_string(), self.t[i].line)];
                    let mut k = i + 1;
                    while self.text(k) == "::" && self.t.get(k + 1).is_some_and(Tok::is_ident) {
                        raw.push((self.text(k + 1).to_string(), self.t[k + 1].line));
                        k += 2;
                    }
                    let abs = resolve(&raw, &self.here);
                    let line = raw[0].1;
                    self.out.push(PathRef {
                        raw,
                        abs,
                        line,
                        ..PathRef::default()
                    });
                    i = k;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }
}

/// The paths the production code of file `rel` (relative, `src/...`) names.
pub fn paths(rel: &str, text: &str) -> Vec<PathRef> {
    let code = production(text);
    let toks = tokens(&code);
    let mut w = Walk {
        t: &toks,
        here: module_of(rel),
        out: Vec::new(),
    };
    w.run();
    w.out
}
