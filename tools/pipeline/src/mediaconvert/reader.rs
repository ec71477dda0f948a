//! Walks job JSON with its path in hand, so every refusal names the field
//! (`Settings.OutputGroups[0].OutputGroupSettings.HlsGroupSettings.Foo: not emulated`).
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SettingsError {
    pub path: String,
    pub message: String,
}

pub fn err(path: &str, message: impl Into<String>) -> SettingsError {
    SettingsError {
        path: path.to_string(),
        message: message.into(),
    }
}

/// One JSON object being read: each field is taken once; `finish` refuses what was left.
pub struct Obj<'a> {
    pub path: String,
    map: &'a Map<String, Value>,
    taken: Vec<&'a str>,
}

impl<'a> Obj<'a> {
    pub fn new(path: &str, v: &'a Value) -> Result<Obj<'a>, SettingsError> {
        match v {
            Value::Object(map) => Ok(Obj {
                path: path.to_string(),
                map,
                taken: Vec::new(),
            }),
            _ => Err(err(path, "expected an object")),
        }
    }

    pub fn at(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn get(&mut self, key: &'a str) -> Option<&'a Value> {
        let (k, v) = self.map.get_key_value(key)?;
        self.taken.push(k.as_str());
        Some(v)
    }

    pub fn obj(&mut self, key: &'a str) -> Result<Option<Obj<'a>>, SettingsError> {
        let path = self.at(key);
        self.get(key).map(|v| Obj::new(&path, v)).transpose()
    }

    pub fn req_obj(&mut self, key: &'a str) -> Result<Obj<'a>, SettingsError> {
        let path = self.at(key);
        self.obj(key)?.ok_or_else(|| err(&path, "required"))
    }

    pub fn str(&mut self, key: &'a str) -> Result<Option<&'a str>, SettingsError> {
        let path = self.at(key);
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(err(&path, "expected a string")),
        }
    }

    pub fn req_str(&mut self, key: &'a str) -> Result<&'a str, SettingsError> {
        let path = self.at(key);
        self.str(key)?.ok_or_else(|| err(&path, "required"))
    }

    pub fn int(&mut self, key: &'a str) -> Result<Option<i64>, SettingsError> {
        let path = self.at(key);
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| err(&path, "expected an integer")),
        }
    }

    pub fn req_int(&mut self, key: &'a str) -> Result<i64, SettingsError> {
        let path = self.at(key);
        self.int(key)?.ok_or_else(|| err(&path, "required"))
    }

    pub fn array(&mut self, key: &'a str) -> Result<Option<&'a Vec<Value>>, SettingsError> {
        let path = self.at(key);
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(_) => Err(err(&path, "expected an array")),
        }
    }

    /// An enumerated field: absent gives `default`; a value outside `emulated` is refused by name.
    pub fn choice(
        &mut self,
        key: &'a str,
        emulated: &[&'static str],
        default: &'static str,
    ) -> Result<&'static str, SettingsError> {
        let path = self.at(key);
        match self.str(key)? {
            None => Ok(default),
            Some(v) => emulated.iter().copied().find(|e| *e == v).ok_or_else(|| {
                err(
                    &path,
                    format!("{v} not emulated (emulated: {})", emulated.join(", ")),
                )
            }),
        }
    }

    /// Fields that change nothing the emulator writes (MediaConvert's encoder tuning, metadata).
    pub fn ignore(&mut self, keys: &[&'a str]) {
        for k in keys {
            let _ = self.get(k);
        }
    }

    /// Refuses every field not read: the emulator must not silently drop a setting.
    pub fn finish(self) -> Result<(), SettingsError> {
        let mut keys: Vec<&String> = self
            .map
            .keys()
            .filter(|k| !self.taken.contains(&k.as_str()))
            .collect();
        keys.sort();
        match keys.first() {
            None => Ok(()),
            Some(k) => Err(err(&self.at(k), "not emulated")),
        }
    }
}
