//! A minimal XML tokenizer for TTML documents: start and end tags with their attributes, text,
//! CDATA; comments, processing instructions and the DOCTYPE skipped. Names are returned without
//! their namespace prefix (`tt:p` is `p`, `ttp:frameRate` is `frameRate`): the TTML vocabulary
//! this player reads has no clashing local names. One pass, no allocation, linear in the input.
use super::text::find;

/// A tokenizing failure: what was expected, and the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct XmlError {
    pub(super) line: usize,
    pub(super) what: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Token<'a> {
    /// `<name attrs>` or `<name attrs/>` (`empty`).
    Start {
        name: &'a str,
        attrs: Attributes<'a>,
        empty: bool,
        line: usize,
    },
    End {
        name: &'a str,
    },
    /// Character data as written (references not decoded) or a CDATA section's content.
    Text {
        text: &'a str,
        cdata: bool,
    },
}

/// The tokens of a document, in order; stops after the first error.
#[derive(Debug, Clone)]
pub(super) struct Tokenizer<'a> {
    rest: &'a str,
    line: usize,
    failed: bool,
}

impl<'a> Tokenizer<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self {
            rest: text,
            line: 1,
            failed: false,
        }
    }

    /// The line the next token starts on (1-based).
    pub(super) fn line(&self) -> usize {
        self.line
    }

    /// Take `n` bytes (a char boundary), counting their line ends.
    fn take(&mut self, n: usize) -> &'a str {
        let (taken, rest) = self.rest.split_at_checked(n).unwrap_or((self.rest, ""));
        self.line += taken.bytes().filter(|b| *b == b'\n').count();
        self.rest = rest;
        taken
    }

    /// Skip past `end` (which must follow), or fail with `what`.
    fn skip_past(&mut self, end: &str, what: &'static str) -> Result<&'a str, XmlError> {
        match find(self.rest, end) {
            Some(at) => {
                let inner = self.take(at);
                self.take(end.len());
                Ok(inner)
            }
            None => Err(self.error(what)),
        }
    }

    fn error(&mut self, what: &'static str) -> XmlError {
        self.failed = true;
        XmlError {
            line: self.line,
            what,
        }
    }

    fn next_token(&mut self) -> Option<Result<Token<'a>, XmlError>> {
        loop {
            if self.failed || self.rest.is_empty() {
                return None;
            }
            if !self.rest.starts_with('<') {
                let at = self.rest.find('<').unwrap_or(self.rest.len());
                let text = self.take(at);
                return Some(Ok(Token::Text { text, cdata: false }));
            }
            if self.rest.starts_with("<!--") {
                if let Err(e) = self.skip_past("-->", "comment not closed") {
                    return Some(Err(e));
                }
                continue;
            }
            if self.rest.starts_with("<![CDATA[") {
                self.take("<![CDATA[".len());
                return Some(
                    self.skip_past("]]>", "CDATA section not closed")
                        .map(|text| Token::Text { text, cdata: true }),
                );
            }
            if self.rest.starts_with("<?") || self.rest.starts_with("<!") {
                // Processing instructions and the DOCTYPE (no internal subset in TTML).
                if let Err(e) = self.skip_past(">", "declaration not closed") {
                    return Some(Err(e));
                }
                continue;
            }
            return Some(self.tag());
        }
    }

    /// A start or end tag (`rest` starts with `<`).
    fn tag(&mut self) -> Result<Token<'a>, XmlError> {
        let line = self.line;
        // `>` cannot occur unquoted inside a tag, but may inside an attribute value.
        let Some(len) = tag_len(self.rest) else {
            return Err(self.error("tag not closed"));
        };
        let whole = self.take(len);
        let inner = whole.get(1..len - 1).unwrap_or("");
        if let Some(end) = inner.strip_prefix('/') {
            return Ok(Token::End {
                name: local(end.trim_end()),
            });
        }
        let (inner, empty) = match inner.strip_suffix('/') {
            Some(i) => (i, true),
            None => (inner, false),
        };
        let name_len = inner
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(inner.len());
        let (name, attrs) = inner.split_at_checked(name_len).unwrap_or((inner, ""));
        if name.is_empty() {
            return Err(self.error("tag without a name"));
        }
        Ok(Token::Start {
            name: local(name),
            attrs: Attributes { rest: attrs },
            empty,
            line,
        })
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Result<Token<'a>, XmlError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_token()
    }
}

/// The length of the tag at the start of `s`, through its `>` (quoted `>` skipped).
fn tag_len(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// A name without its namespace prefix.
fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

/// A start tag's attributes, as (local name, raw value) pairs; a malformed one ends the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Attributes<'a> {
    rest: &'a str,
}

impl<'a> Attributes<'a> {
    /// The raw value of the first attribute with local name `name`.
    pub(super) fn get(self, name: &str) -> Option<&'a str> {
        self.into_iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

impl<'a> Iterator for Attributes<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.rest.trim_start();
        let (name, after) = s.split_once('=')?;
        let after = after.trim_start();
        let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let (value, rest) = after.get(1..)?.split_once(quote)?;
        self.rest = rest;
        Some((local(name.trim_end()), value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<Token<'_>> {
        Tokenizer::new(s).map(Result::unwrap).collect()
    }

    #[test]
    fn tags_text_and_prefixes() {
        let t = tokens(
            "<?xml version=\"1.0\"?>\n<!-- c -->\n<tt:p begin='1s' tts:color=\"a>b\">x<br/></tt:p>",
        );
        assert_eq!(t.len(), 6, "{t:?}");
        let Token::Start {
            name, attrs, line, ..
        } = t[2]
        else {
            panic!("{:?}", t[2]);
        };
        assert_eq!((name, line), ("p", 3));
        let all: Vec<_> = attrs.collect();
        assert_eq!(all, [("begin", "1s"), ("color", "a>b")]);
        assert_eq!(
            t[3],
            Token::Text {
                text: "x",
                cdata: false
            }
        );
        assert!(matches!(
            t[4],
            Token::Start {
                name: "br",
                empty: true,
                ..
            }
        ));
        assert_eq!(t[5], Token::End { name: "p" });
    }

    #[test]
    fn cdata_and_doctype() {
        let t = tokens("<!DOCTYPE tt><p><![CDATA[a<b]]></p>");
        assert_eq!(
            t[1],
            Token::Text {
                text: "a<b",
                cdata: true
            }
        );
    }

    #[test]
    fn unclosed_constructs_fail_once_with_their_line() {
        for (s, line) in [
            ("<p", 1),
            ("a\n<!-- x", 2),
            ("<![CDATA[", 1),
            ("\n\n<?x", 3),
        ] {
            let mut t = Tokenizer::new(s);
            let e = t.find_map(Result::err).unwrap();
            assert_eq!(e.line, line, "{s}");
            assert!(t.next().is_none(), "stops after the error");
        }
        assert!(Tokenizer::new("<>").any(|t| t.is_err()));
    }

    #[test]
    fn malformed_attributes_end_the_list() {
        let t = tokens("<p a=\"1\" b c=\"3\">");
        let Token::Start { attrs, .. } = t[0] else {
            panic!()
        };
        assert_eq!(attrs.get("a"), Some("1"));
        assert_eq!(attrs.get("c"), None);
    }
}
