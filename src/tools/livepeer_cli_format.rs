//! `livepeer cli`'s formats: tablewriter's tables, go-livepeer's `FormatUnits`,
//! `FormatPerc` and `formatPricePerPixel`, and JSON whose big integers stay whole.

use serde_json::Value;

/// A table as tablewriter draws it: right-aligned, `*` corners and a line between rows
/// (`boxed`), or a header row centred and upper-cased between `+` lines.
pub fn table(header: Option<&[&str]>, rows: &[Vec<String>]) -> String {
    let cols = rows
        .iter()
        .map(Vec::len)
        .chain(header.map(<[&str]>::len))
        .max()
        .unwrap_or(0);
    let mut width = vec![0usize; cols];
    let head: Option<Vec<String>> = header.map(|h| h.iter().map(|s| s.to_uppercase()).collect());
    for r in rows.iter().chain(head.iter()) {
        for (i, c) in r.iter().enumerate() {
            for l in c.lines() {
                width[i] = width[i].max(l.chars().count());
            }
        }
    }
    let corner = if header.is_some() { "+" } else { "*" };
    let rule: String = width
        .iter()
        .map(|w| "-".repeat(w + 2))
        .collect::<Vec<_>>()
        .join(corner);
    let rule = format!("{corner}{rule}{corner}\n");
    let row = |r: &Vec<String>, centre: bool| {
        let height = r
            .iter()
            .map(|c| c.lines().count().max(1))
            .max()
            .unwrap_or(1);
        let mut out = String::new();
        for k in 0..height {
            out.push('|');
            for (i, w) in width.iter().enumerate() {
                let cell = r.get(i).and_then(|c| c.lines().nth(k)).unwrap_or("");
                let cell = if centre {
                    format!("{cell:^w$}")
                } else {
                    format!("{cell:>w$}")
                };
                out.push_str(&format!(" {cell} |"));
            }
            out.push('\n');
        }
        out
    };
    let mut out = rule.clone();
    if let Some(h) = &head {
        out.push_str(&row(h, true));
        out.push_str(&rule);
        for r in rows {
            out.push_str(&row(r, false));
        }
        if !rows.is_empty() {
            out.push_str(&rule);
        }
        return out;
    }
    for r in rows {
        out.push_str(&row(r, false));
        out.push_str(&rule);
    }
    out
}

/// go-livepeer's `FromBaseAmount`: `v` with 18 decimals, trailing zeros dropped.
pub fn from_base(v: &str) -> String {
    let v = format!("{v:0>18}");
    let (int, dec) = v.split_at(v.len() - 18);
    let int = if int.is_empty() { "0" } else { int };
    let dec = dec.trim_end_matches('0');
    if dec.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{dec}")
    }
}

/// go-livepeer's `FormatUnits` of a decimal amount (`ETH` or `LPT`).
pub fn units(v: &str, name: &str) -> String {
    let v = v.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return format!("0 {name}");
    }
    let small = v.len() < 17 || (v.len() == 17 && v < "10000000000000000");
    match (small, name) {
        (true, "ETH") => format!("{v} WEI"),
        (true, _) => format!("{v} LPTU"),
        (false, _) => format!("{} {name}", from_base(v)),
    }
}

/// A JSON number field as decimal text (big integers kept whole: see [`parse`]).
pub fn num(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'-') => {
            s.clone()
        }
        _ => "0".into(),
    }
}

/// JSON with every integer of more than 15 digits read as its decimal text (Go's `*big.Int`
/// can exceed what a float keeps exactly).
pub fn parse(text: &str) -> Option<Value> {
    let mut out = String::with_capacity(text.len() + 16);
    let (mut in_str, mut esc) = (false, false);
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let digits = run.trim_start_matches('-').len();
        if digits > 15 && run.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            out.push_str(&format!("\"{run}\""));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if in_str {
            out.push(c);
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
        } else if c.is_ascii_digit() || c == '-' || c == '.' || c == 'e' || c == 'E' || c == '+' {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            in_str = c == '"';
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    serde_json::from_str(&out).ok()
}

/// go-livepeer's `FormatPerc` of millionths.
pub fn perc(v: &Value) -> String {
    let n: f64 = num(v).parse().unwrap_or(0.0);
    format_float(n / 10_000.0)
}

/// Go's `%v` of a float64 (shortest form).
pub fn format_float(f: f64) -> String {
    format!("{f}")
}

/// The reference's `formatPricePerPixel` of a `*big.Rat` text (`"3"`, `"1/10"`, null).
pub fn price(v: &Value) -> String {
    let Some(s) = v.as_str() else {
        return "n/a".into();
    };
    match s.split_once('/') {
        None => format!("{s} wei/pixel"),
        Some((a, b)) => {
            let f = a.parse::<f64>().unwrap_or(0.0) / b.parse::<f64>().unwrap_or(1.0);
            format!("{f:.3} wei/pixel ({a}/{b})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_livepeers_number_formats() {
        assert_eq!(units("1000000000000000000", "ETH"), "1 ETH");
        assert_eq!(units("1500000000000000000", "LPT"), "1.5 LPT");
        assert_eq!(units("5", "ETH"), "5 WEI");
        assert_eq!(units("9999999999999999", "LPT"), "9999999999999999 LPTU");
        assert_eq!(units("10000000000000000", "ETH"), "0.01 ETH");
        assert_eq!(perc(&serde_json::json!(100000)), "10");
        assert_eq!(price(&serde_json::json!("1/10")), "0.100 wei/pixel (1/10)");
        assert_eq!(price(&serde_json::json!("3")), "3 wei/pixel");
        assert_eq!(price(&Value::Null), "n/a");
        let v = parse(r#"{"A":100000000000000000000,"B":"x1","C":[-3,2.5]}"#).unwrap();
        assert_eq!(num(&v["A"]), "100000000000000000000");
        assert_eq!(
            (num(&v["C"][0]), v["B"].as_str()),
            ("-3".into(), Some("x1"))
        );
        let t = table(None, &[vec!["a".into(), "bb\ncc".into()]]);
        assert_eq!(t, "*---*----*\n| a | bb |\n|   | cc |\n*---*----*\n");
    }
}
