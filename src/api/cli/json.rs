//! JSON as Go's `encoding/json` writes the CLI's answers: struct fields in declaration order,
//! `*big.Int` as a bare number (any size), `*big.Rat` as a string (`"3"`, `"1000/3"`), `nil`
//! as `null`.

/// A JSON object under construction, fields in the order they are added.
#[derive(Clone, Debug, Default)]
pub struct Obj {
    fields: Vec<(String, String)>,
}

/// A JSON string literal.
pub fn string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

impl Obj {
    /// An empty object.
    pub fn new() -> Obj {
        Obj::default()
    }

    /// A field of already encoded JSON.
    pub fn raw(mut self, name: &str, json: impl Into<String>) -> Obj {
        self.fields.push((name.to_string(), json.into()));
        self
    }

    /// A decimal number field (a `*big.Int`), `null` when it is not one.
    pub fn num(self, name: &str, decimal: &str) -> Obj {
        let ok = !decimal.is_empty()
            && decimal
                .strip_prefix('-')
                .unwrap_or(decimal)
                .bytes()
                .all(|b| b.is_ascii_digit());
        self.raw(
            name,
            if ok {
                decimal.to_string()
            } else {
                "null".into()
            },
        )
    }

    /// A string field.
    pub fn str(self, name: &str, v: &str) -> Obj {
        self.raw(name, string(v))
    }

    /// The object's text.
    pub fn text(&self) -> String {
        let body: Vec<String> = self
            .fields
            .iter()
            .map(|(k, v)| format!("{}:{v}", string(k)))
            .collect();
        format!("{{{}}}", body.join(","))
    }
}

/// A price as Go marshals a `*big.Rat` of wei per pixel: the reduced fraction as a string
/// (`"3"` when whole), `null` for none.
pub fn rat(p: Option<&crate::events::Price>) -> String {
    let Some(p) = p else {
        return "null".into();
    };
    let (mut a, mut b) = (i128::from(p.price_per_unit), i128::from(p.pixels_per_unit));
    if b == 0 {
        return "null".into();
    }
    if b < 0 {
        (a, b) = (-a, -b);
    }
    let g = gcd(a.unsigned_abs(), b.unsigned_abs()).max(1) as i128;
    let (a, b) = (a / g, b / g);
    string(&if b == 1 {
        a.to_string()
    } else {
        format!("{a}/{b}")
    })
}

fn gcd(a: u128, b: u128) -> u128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Price;

    #[test]
    fn objects_and_rats_read_as_go_writes_them() {
        let o = Obj::new()
            .num("Deposit", "100000000000000000000000")
            .num("Bad", "x")
            .str("S", "a\"b")
            .raw("R", rat(None));
        assert_eq!(
            o.text(),
            r#"{"Deposit":100000000000000000000000,"Bad":null,"S":"a\"b","R":null}"#
        );
        let p = |a, b| Price {
            price_per_unit: a,
            pixels_per_unit: b,
        };
        assert_eq!(rat(Some(&p(1000, 3))), "\"1000/3\"");
        assert_eq!(rat(Some(&p(6, 3))), "\"2\"");
        assert_eq!(rat(Some(&p(4, 6))), "\"2/3\"");
    }
}
