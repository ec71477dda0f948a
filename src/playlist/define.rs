//! Variable substitution (RFC 8216bis §4.2, §4.4.2.3): `EXT-X-DEFINE` gives a variable its value
//! (`NAME` + `VALUE`), takes it from the multivariant playlist (`IMPORT`, media playlists only)
//! or from the playlist URL's query (`QUERYPARAM`: how a signed URL's token reaches the segment
//! URIs; taken as the URL writes it, percent escapes kept); each `{$name}` on a later line is
//! replaced by the value. A reference to a variable not defined above it, a second definition of
//! a name, or an `IMPORT`/`QUERYPARAM` with nothing to take is an error naming the line, as the
//! RFC asks ("MUST fail to parse").
//!
//! Substitution covers the whole line (tag or URI) before it is read: references are only
//! valid in URIs, quoted strings and hexadecimal sequences, and anywhere else `{$` cannot be
//! valid HLS anyway.
use super::attrs::Attrs;
use super::error::PlaylistError;
use std::borrow::Cow;

/// The variables defined so far, in definition order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variables(pub Vec<(String, String)>);

/// Where an `EXT-X-DEFINE` is and what it may draw on.
pub(crate) struct Context<'a> {
    pub line: usize,
    /// The multivariant playlist's variables (for `IMPORT`; none when parsing one).
    pub imports: &'a Variables,
    /// The playlist URL's query, without `?` (for `QUERYPARAM`).
    pub query: Option<&'a str>,
}

impl Variables {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// One `EXT-X-DEFINE` tag's attributes (`value`).
    pub(crate) fn define(&mut self, value: &str, cx: &Context<'_>) -> Result<(), PlaylistError> {
        const TAG: &str = "EXT-X-DEFINE";
        let line = cx.line;
        let attrs = Attrs::parse(TAG, line, value)?;
        let bad = |what: String| PlaylistError::malformed(line, format!("{TAG}: {what}"));
        let (name, value) = match (
            attrs.str("NAME"),
            attrs.str("IMPORT"),
            attrs.str("QUERYPARAM"),
        ) {
            (Some(name), None, None) => (name, attrs.required("VALUE")?.to_string()),
            (None, Some(name), None) => match cx.imports.get(name) {
                Some(v) => (name, v.to_string()),
                None => {
                    return Err(bad(format!(
                        "IMPORT=\"{name}\": the multivariant playlist defines no such variable \
                         (IMPORT is for media playlists)"
                    )));
                }
            },
            (None, None, Some(name)) => match cx.query.and_then(|q| query_param(q, name)) {
                Some(v) => (name, v.to_string()),
                None => {
                    return Err(bad(format!(
                        "QUERYPARAM=\"{name}\": the playlist URL has no such query parameter"
                    )));
                }
            },
            _ => return Err(bad("needs exactly one of NAME, IMPORT or QUERYPARAM".into())),
        };
        if name.is_empty() || !name.bytes().all(is_name_byte) {
            return Err(bad(format!(
                "bad variable name `{name}` (letters, digits, `-` and `_`)"
            )));
        }
        if self.get(name).is_some() {
            return Err(bad(format!("variable `{name}` defined twice")));
        }
        self.0.push((name.to_string(), value));
        Ok(())
    }

    /// `text` (one line) with every `{$name}` replaced; borrowed when it has none. The result
    /// is held to `max` bytes, as lines are: a long value referenced many times would
    /// otherwise grow one line without bound.
    pub(crate) fn substitute<'t>(
        &self,
        line: usize,
        text: &'t str,
        max: usize,
    ) -> Result<Cow<'t, str>, PlaylistError> {
        // A byte search: `str::find` with a `&str` pattern costs the wasm ~4 KB of searcher.
        let bytes = text.as_bytes();
        let Some(first) = bytes.windows(2).position(|w| w == b"{$") else {
            return Ok(Cow::Borrowed(text));
        };
        let mut out = String::with_capacity(text.len());
        let mut done = 0;
        let mut at = first;
        while let Some(start) = bytes
            .get(at..)
            .and_then(|r| r.windows(2).position(|w| w == b"{$"))
            .map(|p| p + at)
        {
            let name_at = start + 2;
            let len = bytes
                .get(name_at..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&b| is_name_byte(b))
                .count();
            let end = name_at + len;
            // Not a reference (`{$` without a name and `}`): kept as it is.
            if len == 0 || bytes.get(end) != Some(&b'}') {
                at = name_at;
                continue;
            }
            let name = text.get(name_at..end).unwrap_or_default();
            let Some(value) = self.get(name) else {
                return Err(PlaylistError::malformed(
                    line,
                    format!("variable reference `{{${name}}}` with no EXT-X-DEFINE of it above"),
                ));
            };
            out.push_str(text.get(done..start).unwrap_or_default());
            out.push_str(value);
            if out.len() > max {
                return Err(PlaylistError::limit(
                    line,
                    format!("line is more than {max} bytes after variable substitution"),
                ));
            }
            done = end + 1;
            at = done;
        }
        out.push_str(text.get(done..).unwrap_or_default());
        Ok(Cow::Owned(out))
    }
}

/// A variable name's bytes (RFC 8216bis §4.4.2.3: `[a-zA-Z0-9-_]`).
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// The value of the query parameter `name` (the first of that name) as the URL writes it:
/// left percent-encoded, so that put back into a URI it is the same bytes (a base64 token's
/// `%2B` decoded to `+` would come back as a space).
fn query_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|pair| {
        let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
        (n == name).then_some(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx<'a>(imports: &'a Variables, query: Option<&'a str>) -> Context<'a> {
        Context {
            line: 3,
            imports,
            query,
        }
    }

    #[test]
    fn references_are_replaced_and_text_without_them_is_borrowed() {
        let mut v = Variables::default();
        let none = Variables::default();
        v.define(r#"NAME="host",VALUE="cdn.example""#, &cx(&none, None))
            .unwrap();
        v.define(r#"NAME="a-b_1",VALUE="x""#, &cx(&none, None))
            .unwrap();
        let got = v
            .substitute(5, "https://{$host}/{$a-b_1}{$a-b_1}.ts", 100)
            .unwrap();
        assert_eq!(got, "https://cdn.example/xx.ts");
        assert!(matches!(
            v.substitute(5, "plain.ts", 100).unwrap(),
            Cow::Borrowed(_)
        ));
        // `{$` without a name and a closing brace is text, not a reference.
        assert_eq!(v.substitute(5, "a{$}b{$ c", 100).unwrap(), "a{$}b{$ c");
        let e = v.substitute(7, "x{$nope}.ts", 100).unwrap_err();
        assert_eq!(e.line, 7);
        assert!(e.to_string().contains("`{$nope}`"), "{e}");
    }

    #[test]
    fn a_line_grown_past_the_limit_by_substitution_is_refused() {
        let none = Variables::default();
        let mut v = Variables::default();
        v.define(r#"NAME="a",VALUE="0123456789""#, &cx(&none, None))
            .unwrap();
        assert_eq!(v.substitute(2, "{$a}{$a}", 20).unwrap().len(), 20);
        let e = v.substitute(2, "{$a}{$a}{$a}", 20).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("more than 20 bytes"), "{e}");
    }

    #[test]
    fn import_and_queryparam_take_their_values_and_fail_without_them() {
        let master = Variables(vec![("token".into(), "abc".into())]);
        let mut v = Variables::default();
        v.define(r#"IMPORT="token""#, &cx(&master, None)).unwrap();
        v.define(
            r#"QUERYPARAM="sig""#,
            &cx(&master, Some("a=1&sig=x%2By+z&sig=2")),
        )
        .unwrap();
        // The query's value as written: percent escapes stay, so the token round-trips.
        assert_eq!(
            v.substitute(1, "{$token}/{$sig}", 100).unwrap(),
            "abc/x%2By+z"
        );
        let fails = |attrs: &str, c: Context<'_>| {
            Variables::default()
                .define(attrs, &c)
                .unwrap_err()
                .to_string()
        };
        let none = Variables::default();
        assert!(fails(r#"IMPORT="token""#, cx(&none, None)).contains("multivariant"));
        assert!(fails(r#"IMPORT="other""#, cx(&master, None)).contains("no such variable"));
        assert!(fails(r#"QUERYPARAM="k""#, cx(&master, Some("a=1"))).contains("no such query"));
        assert!(fails(r#"QUERYPARAM="k""#, cx(&master, None)).contains("no such query"));
        assert!(fails(r#"NAME="x""#, cx(&none, None)).contains("VALUE"));
        assert!(fails(r#"NAME="x y",VALUE="1""#, cx(&none, None)).contains("bad variable name"));
        assert!(fails(r#"NAME="x",IMPORT="y""#, cx(&master, None)).contains("exactly one"));
    }

    #[test]
    fn a_name_defined_twice_is_an_error() {
        let none = Variables::default();
        let mut v = Variables::default();
        v.define(r#"NAME="x",VALUE="1""#, &cx(&none, None)).unwrap();
        let e = v
            .define(r#"NAME="x",VALUE="2""#, &cx(&none, None))
            .unwrap_err();
        assert!(e.to_string().contains("defined twice"), "{e}");
    }

    #[test]
    fn a_query_parameter_is_found_by_its_exact_name() {
        assert_eq!(query_param("a=1&tok=%2B&tok=2", "tok"), Some("%2B"));
        assert_eq!(query_param("tok", "tok"), Some(""));
        assert_eq!(query_param("token=1", "tok"), None);
    }
}
