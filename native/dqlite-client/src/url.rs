//! `dqlite://HOST:PORT[,HOST:PORT…]/NAME`: the nodes to ask for the leader, and the
//! database's name on the cluster.

use crate::error::{ClientError, Result};

pub const SCHEME: &str = "dqlite://";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DqliteUrl {
    pub addresses: Vec<String>,
    pub name: String,
}

impl DqliteUrl {
    /// Whether `s` is meant as a cluster URL (and not a file path).
    pub fn is_url(s: &str) -> bool {
        s.starts_with(SCHEME)
    }

    pub fn parse(s: &str) -> Result<DqliteUrl> {
        let bad = |why: &str| {
            ClientError::InvalidInput {
            message: format!(
                "{s:?} is not a cluster address: {why}; write dqlite://HOST:PORT[,HOST:PORT…]/NAME, for example dqlite://127.0.0.1:9001,127.0.0.1:9002/coordination"
            ),
        }
        };
        let rest = s
            .strip_prefix(SCHEME)
            .ok_or_else(|| bad("it does not start with dqlite://"))?;
        let (hosts, name) = rest
            .split_once('/')
            .ok_or_else(|| bad("the database name is missing"))?;
        if name.is_empty() {
            return Err(bad("the database name is empty"));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            || name.starts_with('.')
        {
            return Err(bad(
                "the database name may hold only letters, digits, '_', '-' and '.'",
            ));
        }
        let mut addresses = Vec::new();
        for h in hosts.split(',') {
            let h = h.trim();
            let (host, port) = h
                .rsplit_once(':')
                .ok_or_else(|| bad("each node needs HOST:PORT"))?;
            if host.is_empty() || port.parse::<u16>().map_or(true, |p| p == 0) {
                return Err(bad(&format!("{h:?} is not HOST:PORT")));
            }
            addresses.push(h.to_owned());
        }
        Ok(DqliteUrl {
            addresses,
            name: name.to_owned(),
        })
    }
}

impl std::fmt::Display for DqliteUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{SCHEME}{}/{}", self.addresses.join(","), self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::DqliteUrl;

    #[test]
    fn parses_one_or_more_nodes_and_a_name() {
        let u = DqliteUrl::parse("dqlite://127.0.0.1:9001,127.0.0.1:9002/coordination").unwrap();
        assert_eq!(u.addresses, vec!["127.0.0.1:9001", "127.0.0.1:9002"]);
        assert_eq!(u.name, "coordination");
        assert_eq!(
            u.to_string(),
            "dqlite://127.0.0.1:9001,127.0.0.1:9002/coordination"
        );
        let u = DqliteUrl::parse("dqlite://[::1]:9001/db.v2").unwrap();
        assert_eq!(u.addresses, vec!["[::1]:9001"]);
    }

    #[test]
    fn refuses_malformed_urls_with_the_accepted_form() {
        for s in [
            "dqlite://127.0.0.1:9001",
            "dqlite://127.0.0.1:9001/",
            "dqlite://127.0.0.1/x",
            "dqlite://127.0.0.1:0/x",
            "dqlite://:9001/x",
            "dqlite://127.0.0.1:9001/a/b",
            "dqlite://127.0.0.1:9001/../x",
            "file:///x",
        ] {
            let e = DqliteUrl::parse(s).unwrap_err().to_string();
            assert!(e.contains("dqlite://HOST:PORT"), "{s}: {e}");
        }
    }
}
