//! Where providers read configuration: variables, files and the home directory.
//!
//! Injectable, so chain tests use a fake environment instead of the machine's.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Environment variables, files and the home directory, as providers see them.
pub trait Environment: Send + Sync + fmt::Debug {
    /// A variable's value; `None` when unset or empty.
    fn var(&self, name: &str) -> Option<String>;
    /// A file's contents.
    fn read_file(&self, path: &Path) -> std::io::Result<String>;
    /// The user's home directory.
    fn home_dir(&self) -> Option<PathBuf>;

    /// Another address for a service the providers call (`"sts"`, `"ecs_metadata"`), as a URL
    /// such as `http://127.0.0.1:8080`: how tests point providers at an emulator. `None` (the
    /// process environment's answer) means the real service.
    fn endpoint_override(&self, _service: &str) -> Option<String> {
        None
    }
}

/// The process's real environment and file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }

    fn read_file(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn home_dir(&self) -> Option<PathBuf> {
        std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(PathBuf::from)
    }
}

/// A made-up environment for tests: variables and files held in memory.
///
/// ```
/// use acs_credentials::{Environment, FakeEnvironment};
/// let env = FakeEnvironment::new()
///     .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tTest")
///     .with_file("/tmp/token", "eyJ...");
/// assert_eq!(env.var("ALIBABA_CLOUD_ACCESS_KEY_ID").as_deref(), Some("LTAI5tTest"));
/// assert!(env.read_file("/tmp/token".as_ref()).is_ok());
/// ```
#[derive(Clone, Default)]
pub struct FakeEnvironment {
    vars: BTreeMap<String, String>,
    files: std::sync::Arc<std::sync::Mutex<BTreeMap<PathBuf, String>>>,
    home: Option<PathBuf>,
    endpoints: BTreeMap<String, String>,
}

impl fmt::Debug for FakeEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values can be secrets: names only.
        f.debug_struct("FakeEnvironment")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl FakeEnvironment {
    /// Nothing set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same environment with a variable.
    pub fn with_var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_owned(), value.to_owned());
        self
    }

    /// The same environment with a file.
    pub fn with_file(self, path: &str, contents: &str) -> Self {
        self.set_file(path, contents);
        self
    }

    /// Replaces a file's contents (shared by clones: a test can rotate a token file).
    pub fn set_file(&self, path: &str, contents: &str) {
        if let Ok(mut files) = self.files.lock() {
            files.insert(PathBuf::from(path), contents.to_owned());
        }
    }

    /// The same environment sending calls for `service` (`"sts"`, `"ecs_metadata"`) to `url`.
    pub fn with_endpoint(mut self, service: &str, url: &str) -> Self {
        self.endpoints.insert(service.to_owned(), url.to_owned());
        self
    }

    /// The same environment with a home directory.
    pub fn with_home(mut self, home: &str) -> Self {
        self.home = Some(PathBuf::from(home));
        self
    }
}

impl Environment for FakeEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).filter(|v| !v.is_empty()).cloned()
    }

    fn read_file(&self, path: &Path) -> std::io::Result<String> {
        let files = self
            .files
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?;
        files
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    }

    fn home_dir(&self) -> Option<PathBuf> {
        self.home.clone()
    }

    fn endpoint_override(&self, service: &str) -> Option<String> {
        self.endpoints.get(service).cloned()
    }
}
