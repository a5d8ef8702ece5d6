//! The worked arithmetic of a numeric item (`formula = "max(12, 60 * 40 * 40 / 5000)"`),
//! evaluated in f64 so validation can check it against the stored answer.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("formula `{formula}`: {message} at column {column}")]
pub struct FormulaError {
    pub formula: String,
    pub message: String,
    pub column: usize,
}

/// Evaluates numbers, `+ - * /`, unary minus, parentheses, `max(…)`, `min(…)`, `ceil(x)` and `floor(x)`.
pub fn evaluate(formula: &str) -> Result<f64, FormulaError> {
    let mut p = Parser { src: formula.as_bytes(), pos: 0, depth: 0 };
    let v = p.expr().map_err(|(message, at)| FormulaError { formula: formula.into(), message, column: at + 1 })?;
    p.skip_ws();
    if p.pos < p.src.len() {
        return Err(FormulaError { formula: formula.into(), message: "unexpected text".into(), column: p.pos + 1 });
    }
    if !v.is_finite() {
        return Err(FormulaError {
            formula: formula.into(),
            message: "result is not a finite number".into(),
            column: 1,
        });
    }
    Ok(v)
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    depth: usize,
}

type R = Result<f64, (String, usize)>;

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.src.len() && self.src[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.src.get(self.pos).copied()
    }

    fn expr(&mut self) -> R {
        let mut v = self.term()?;
        while let Some(op @ (b'+' | b'-')) = self.peek() {
            self.pos += 1;
            let rhs = self.term()?;
            v = if op == b'+' { v + rhs } else { v - rhs };
        }
        Ok(v)
    }

    fn term(&mut self) -> R {
        let mut v = self.factor()?;
        while let Some(op @ (b'*' | b'/')) = self.peek() {
            self.pos += 1;
            let at = self.pos;
            let rhs = self.factor()?;
            if op == b'/' && rhs == 0.0 {
                return Err(("division by zero".into(), at));
            }
            v = if op == b'*' { v * rhs } else { v / rhs };
        }
        Ok(v)
    }

    fn factor(&mut self) -> R {
        self.depth += 1;
        if self.depth > 64 {
            return Err(("formula nested too deeply".into(), self.pos));
        }
        let v = self.atom();
        self.depth -= 1;
        v
    }

    fn atom(&mut self) -> R {
        let at = self.pos;
        match self.peek() {
            Some(b'-') => {
                self.pos += 1;
                Ok(-self.factor()?)
            }
            Some(b'(') => {
                self.pos += 1;
                let v = self.expr()?;
                self.eat(b')')?;
                Ok(v)
            }
            Some(c) if c.is_ascii_digit() || c == b'.' => {
                let start = self.pos;
                while self.pos < self.src.len() && (self.src[self.pos].is_ascii_digit() || self.src[self.pos] == b'.') {
                    self.pos += 1;
                }
                let text = std::str::from_utf8(&self.src[start..self.pos]).unwrap_or("");
                text.parse::<f64>().map_err(|_| (format!("`{text}` is not a number"), start))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self.pos < self.src.len() && self.src[self.pos].is_ascii_alphabetic() {
                    self.pos += 1;
                }
                let name = std::str::from_utf8(&self.src[start..self.pos]).unwrap_or("").to_string();
                if !matches!(name.as_str(), "max" | "min" | "ceil" | "floor") {
                    return Err((format!("unknown function `{name}` (use max, min, ceil or floor)"), start));
                }
                self.eat(b'(')?;
                let mut args = vec![self.expr()?];
                while self.peek() == Some(b',') {
                    self.pos += 1;
                    args.push(self.expr()?);
                }
                self.eat(b')')?;
                match (name.as_str(), args.as_slice()) {
                    ("ceil", [x]) => Ok(x.ceil()),
                    ("floor", [x]) => Ok(x.floor()),
                    ("ceil" | "floor", _) => Err((format!("`{name}` takes one number, found {}", args.len()), start)),
                    _ => {
                        let fold = if name == "max" { f64::max } else { f64::min };
                        Ok(args.into_iter().reduce(fold).unwrap_or(f64::NAN))
                    }
                }
            }
            Some(_) => Err(("expected a number, `(`, `-`, max, min, ceil or floor".into(), at)),
            None => Err(("the formula ends too early".into(), at)),
        }
    }

    fn eat(&mut self, c: u8) -> Result<(), (String, usize)> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err((format!("expected `{}`", c as char), self.pos))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::evaluate;

    #[test]
    fn evaluates_the_arithmetic_of_worked_examples() {
        let close = |f: &str, want: f64| {
            let got = evaluate(f).unwrap();
            assert!((got - want).abs() < 1e-9, "{f} = {got}, want {want}");
        };
        close("60 * 40 * 40 / 5000", 19.2);
        close("max(12, 60*40*40/5000)", 19.2);
        close("(10000 + 800) / (1 - 1.1 * 0.005)", 10859.728506787329);
        close("-2 + 3 * (4 - 1)", 7.0);
        close("min(3, 1.5, 2)", 1.5);
        // An order-count threshold: the largest whole number of defects below 1% of 1,550 orders.
        close("ceil(1550 * 0.01) - 1", 15.0);
        close("floor(7.9) + ceil(0.1)", 8.0);
        close("1 - -1", 2.0);
    }

    #[test]
    fn bad_formulas_say_where() {
        for (f, msg) in [
            ("1 +", "ends too early"),
            ("2 * x", "unknown function `x`"),
            ("(1 + 2", "expected `)`"),
            ("4 / (2 - 2)", "division by zero"),
            ("1 2", "unexpected text"),
            ("15%", "unexpected text"),
            ("1..2", "not a number"),
        ] {
            let e = evaluate(f).unwrap_err();
            assert!(e.to_string().contains(msg), "{f}: {e}");
        }
        assert!(evaluate(&"(".repeat(500)).is_err());
    }
}
