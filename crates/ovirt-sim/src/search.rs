//! The engine's search language, the subset clients use: `key OP value` conditions joined by
//! `and`, `or` and plain juxtaposition, with the engine's odd precedence — `and` binds
//! tightest, then `or`, and juxtaposition is an AND applied last — so that
//! `cluster=Default name=a or name=b status=up` means
//! `cluster=Default AND (name=a OR name=b) AND status=up`, as the Ansible role relies on.
//! Also `sortby FIELD [asc|desc]` and `page N`.

use std::cmp::Ordering;
use std::fmt;

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub key: String,
    pub op: Op,
    pub value: String,
}

/// A parsed query: every group must hold; a group holds when any of its alternatives does;
/// an alternative holds when all its conditions do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub groups: Vec<Vec<Vec<Condition>>>,
    pub sort_by: Option<(String, bool)>,
    pub page: Option<u32>,
}

/// The value of a field of an object, typed so comparisons work as the engine's do.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    /// An enum value in the API's spelling (`non_operational`); searched without underscores too.
    Enum(String),
    Number(i64),
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("cannot parse the search query `{query}`: {reason}")]
    Syntax { query: String, reason: String },
    #[error("the search key `{0}` is not known for this collection")]
    UnknownKey(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Op(Op),
}

fn tokenize(query: &str) -> Result<Vec<Token>, SearchError> {
    let syntax = |reason: &str| SearchError::Syntax {
        query: query.to_owned(),
        reason: reason.to_owned(),
    };
    let mut tokens = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '"' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(c) => text.push(c),
                        None => return Err(syntax("a quoted value is not closed")),
                    }
                }
                tokens.push(Token::Quoted(text));
            }
            '=' | '!' | '<' | '>' => {
                chars.next();
                let op = match (c, chars.peek()) {
                    ('=', _) => Op::Eq,
                    ('!', Some('=')) => Op::Ne,
                    ('<', Some('=')) => Op::Le,
                    ('>', Some('=')) => Op::Ge,
                    ('<', _) => Op::Lt,
                    ('>', _) => Op::Gt,
                    _ => return Err(syntax("`!` must be followed by `=`")),
                };
                if matches!(op, Op::Ne | Op::Le | Op::Ge) {
                    chars.next();
                }
                tokens.push(Token::Op(op));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '=' | '!' | '<' | '>' | '"') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

impl Query {
    pub fn parse(query: &str) -> Result<Query, SearchError> {
        let syntax = |reason: &str| SearchError::Syntax {
            query: query.to_owned(),
            reason: reason.to_owned(),
        };
        let tokens = tokenize(query)?;
        let mut parsed = Query::default();
        let mut i = 0;
        // `join` is what connects the next condition to the previous: None = juxtaposition.
        let mut join: Option<&str> = None;
        while i < tokens.len() {
            let word = match &tokens[i] {
                Token::Word(w) => w.clone(),
                _ => return Err(syntax("expected a field name")),
            };
            let lower = word.to_ascii_lowercase();
            if lower == "and" || lower == "or" {
                if parsed.groups.is_empty() || join.is_some() {
                    return Err(syntax("`and` / `or` must stand between two conditions"));
                }
                join = Some(if lower == "and" { "and" } else { "or" });
                i += 1;
                continue;
            }
            if lower == "sortby" {
                let field = match tokens.get(i + 1) {
                    Some(Token::Word(f)) => f.to_ascii_lowercase(),
                    _ => return Err(syntax("`sortby` needs a field")),
                };
                i += 2;
                let mut ascending = true;
                if let Some(Token::Word(dir)) = tokens.get(i) {
                    match dir.to_ascii_lowercase().as_str() {
                        "asc" => i += 1,
                        "desc" => {
                            ascending = false;
                            i += 1;
                        }
                        _ => {}
                    }
                }
                parsed.sort_by = Some((field, ascending));
                continue;
            }
            if lower == "page" {
                let number = match tokens.get(i + 1) {
                    Some(Token::Word(n)) => {
                        n.parse().map_err(|_| syntax("`page` needs a number"))?
                    }
                    _ => return Err(syntax("`page` needs a number")),
                };
                parsed.page = Some(number);
                i += 2;
                continue;
            }
            let op = match tokens.get(i + 1) {
                Some(Token::Op(op)) => *op,
                _ => {
                    return Err(syntax(&format!(
                        "`{word}` must be followed by an operator such as `=`"
                    )))
                }
            };
            let value = match tokens.get(i + 2) {
                Some(Token::Word(v)) | Some(Token::Quoted(v)) => v.clone(),
                _ => return Err(syntax(&format!("`{word}` has no value"))),
            };
            i += 3;
            let condition = Condition {
                key: lower,
                op,
                value,
            };
            match join.take() {
                None => parsed.groups.push(vec![vec![condition]]),
                Some("or") => parsed
                    .groups
                    .last_mut()
                    .expect("a group")
                    .push(vec![condition]),
                Some(_) => parsed
                    .groups
                    .last_mut()
                    .expect("a group")
                    .last_mut()
                    .expect("an alternative")
                    .push(condition),
            }
        }
        if join.is_some() {
            return Err(syntax("the query ends with `and` or `or`"));
        }
        Ok(parsed)
    }

    /// Whether an object matches; `field` gives an object's values for a key (several for
    /// cross-references), or `None` for a key the collection does not know.
    pub fn matches(
        &self,
        field: &dyn Fn(&str) -> Option<Vec<FieldValue>>,
        case_sensitive: bool,
    ) -> Result<bool, SearchError> {
        for group in &self.groups {
            let mut any = false;
            for alternative in group {
                let mut all = true;
                for condition in alternative {
                    let values = field(&condition.key)
                        .ok_or_else(|| SearchError::UnknownKey(condition.key.clone()))?;
                    if !values
                        .iter()
                        .any(|v| condition_holds(condition, v, case_sensitive))
                    {
                        all = false;
                        break;
                    }
                }
                if all {
                    any = true;
                    break;
                }
            }
            if !any {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn normalise(text: &str, case_sensitive: bool) -> String {
    if case_sensitive {
        text.to_owned()
    } else {
        text.to_lowercase()
    }
}

/// `*` matches any run of characters.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(p) => rest = &rest[p + part.len()..],
                None => return false,
            }
        }
    }
    true
}

fn condition_holds(condition: &Condition, value: &FieldValue, case_sensitive: bool) -> bool {
    let ordering = match value {
        FieldValue::Number(n) => match condition.value.parse::<i64>() {
            Ok(wanted) => Some(n.cmp(&wanted)),
            Err(_) => return false,
        },
        FieldValue::Bool(b) => match condition.value.to_ascii_lowercase().as_str() {
            "true" => Some(b.cmp(&true)),
            "false" => Some(b.cmp(&false)),
            _ => return false,
        },
        FieldValue::Enum(e) => {
            // The engine matches its Java enum names: no underscores, any case.
            let squash = |s: &str| s.replace('_', "").to_ascii_lowercase();
            let (have, want) = (squash(e), squash(&condition.value));
            return match condition.op {
                Op::Eq => wildcard_match(&want, &have),
                Op::Ne => !wildcard_match(&want, &have),
                _ => compare(&have, &want, condition.op),
            };
        }
        FieldValue::Text(text) => {
            let (have, want) = (
                normalise(text, case_sensitive),
                normalise(&condition.value, case_sensitive),
            );
            return match condition.op {
                Op::Eq => wildcard_match(&want, &have),
                Op::Ne => !wildcard_match(&want, &have),
                _ => compare(&have, &want, condition.op),
            };
        }
    };
    ordering.is_some_and(|o| holds(o, condition.op))
}

fn compare(have: &str, want: &str, op: Op) -> bool {
    holds(have.cmp(want), op)
}

fn holds(ordering: Ordering, op: Op) -> bool {
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Lt => ordering == Ordering::Less,
        Op::Gt => ordering == Ordering::Greater,
        Op::Le => ordering != Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Ge => ">=",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(
        name: &'static str,
        cluster: &'static str,
        status: &'static str,
        update: bool,
    ) -> impl Fn(&str) -> Option<Vec<FieldValue>> {
        move |key| {
            Some(vec![match key {
                "name" => FieldValue::Text(name.into()),
                "cluster" => FieldValue::Text(cluster.into()),
                "status" => FieldValue::Enum(status.into()),
                "update_available" => FieldValue::Bool(update),
                "type" => FieldValue::Number(885),
                _ => return None,
            }])
        }
    }

    fn matches(query: &str, object: &dyn Fn(&str) -> Option<Vec<FieldValue>>) -> bool {
        Query::parse(query).unwrap().matches(object, false).unwrap()
    }

    #[test]
    fn juxtaposition_binds_last_as_the_role_relies_on() {
        let query = "cluster=Default update_available=true name=a or name=b status=up";
        assert!(matches(query, &host("b", "Default", "up", true)));
        assert!(!matches(query, &host("c", "Default", "up", true)));
        assert!(!matches(query, &host("a", "Other", "up", true)));
        assert!(!matches(query, &host("a", "Default", "maintenance", true)));
        let parsed = Query::parse(query).unwrap();
        assert_eq!(parsed.groups.len(), 4);
        assert_eq!(parsed.groups[2].len(), 2);
    }

    #[test]
    fn explicit_and_binds_tighter_than_or() {
        // type=839 or (type=887 and name=h)
        let q = "type=885 or type=887 and name=zzz";
        assert!(matches(q, &host("x", "c", "up", false)));
        let q = "type=887 or type=885 and name=zzz";
        assert!(!matches(q, &host("x", "c", "up", false)));
    }

    #[test]
    fn values_quote_wildcard_and_case() {
        assert!(matches(
            "name=\"my host\"",
            &host("my host", "c", "up", false)
        ));
        assert!(matches("name=*", &host("anything", "c", "up", false)));
        assert!(matches("name=web*", &host("web01", "c", "up", false)));
        assert!(!matches("name=web*", &host("db01", "c", "up", false)));
        assert!(matches("name=WEB01", &host("web01", "c", "up", false)));
        assert!(!Query::parse("name=WEB01")
            .unwrap()
            .matches(&host("web01", "c", "up", false), true)
            .unwrap());
        assert!(matches(
            "status=nonoperational",
            &host("h", "c", "non_operational", false)
        ));
        assert!(matches(
            "status=non_operational",
            &host("h", "c", "non_operational", false)
        ));
        assert!(matches("status!=up", &host("h", "c", "maintenance", false)));
        assert!(matches("type>=800", &host("h", "c", "up", false)));
        assert!(matches("", &host("h", "c", "up", false)));
    }

    #[test]
    fn sortby_page_and_errors() {
        let q = Query::parse("name=a* sortby name desc page 2").unwrap();
        assert_eq!(q.sort_by, Some(("name".into(), false)));
        assert_eq!(q.page, Some(2));
        assert!(Query::parse("name=").is_err());
        assert!(Query::parse("and name=a").is_err());
        assert!(Query::parse("name=a or").is_err());
        assert!(Query::parse("name=\"open").is_err());
        let unknown = Query::parse("colour=red")
            .unwrap()
            .matches(&host("h", "c", "up", false), false);
        assert_eq!(unknown, Err(SearchError::UnknownKey("colour".into())));
    }
}
