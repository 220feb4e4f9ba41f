//! Address ranges in configuration: a reverse proxy is trusted by its address (`10.0.0.2`) or by
//! the network it runs in (`172.30.0.0/24`, as in a container network whose addresses are handed
//! out at start).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One address or one CIDR network. Written as `a.b.c.d`, `a.b.c.d/n`, or the IPv6 forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressRange(IpNet);

/// A text that is neither an address nor a network in CIDR notation.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is neither an IP address nor a network such as 172.30.0.0/24")]
pub struct AddressRangeError(String);

impl AddressRange {
    /// Whether `address` is this address or inside this network. An IPv4 address mapped into
    /// IPv6 (`::ffff:a.b.c.d`, as a dual-stack socket reports it) is compared as IPv4.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = match address {
            IpAddr::V6(v6) => v6
                .to_ipv4_mapped()
                .map(IpAddr::V4)
                .unwrap_or(IpAddr::V6(v6)),
            v4 => v4,
        };
        self.0.contains(&address)
    }

    /// Whether any of `ranges` holds `address`.
    pub fn any_contains(ranges: &[AddressRange], address: IpAddr) -> bool {
        ranges.iter().any(|range| range.contains(address))
    }
}

impl From<IpAddr> for AddressRange {
    fn from(address: IpAddr) -> Self {
        Self(IpNet::from(address))
    }
}

impl FromStr for AddressRange {
    type Err = AddressRangeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Ok(address) = text.parse::<IpAddr>() {
            return Ok(address.into());
        }
        text.parse::<IpNet>()
            .map(|network| Self(network.trunc()))
            .map_err(|_| AddressRangeError(text.to_owned()))
    }
}

impl fmt::Display for AddressRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.prefix_len() == self.0.max_prefix_len() {
            write!(f, "{}", self.0.addr())
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl Serialize for AddressRange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AddressRange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_address_holds_only_itself() {
        let range: AddressRange = "10.0.0.2".parse().unwrap();
        assert!(range.contains(ip("10.0.0.2")));
        assert!(!range.contains(ip("10.0.0.3")));
        assert_eq!(range.to_string(), "10.0.0.2");
    }

    #[test]
    fn a_network_holds_its_addresses_and_no_others() {
        let range: AddressRange = "172.30.0.0/24".parse().unwrap();
        assert!(range.contains(ip("172.30.0.2")));
        assert!(range.contains(ip("172.30.0.255")));
        assert!(!range.contains(ip("172.30.1.2")));
        assert!(!range.contains(ip("10.0.0.2")));
        assert_eq!(range.to_string(), "172.30.0.0/24");
    }

    #[test]
    fn host_bits_are_dropped_and_mapped_ipv4_is_ipv4() {
        let range: AddressRange = "172.30.0.9/24".parse().unwrap();
        assert_eq!(range.to_string(), "172.30.0.0/24");
        assert!(range.contains(ip("::ffff:172.30.0.7")));
        let v6: AddressRange = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")));
        assert!(!v6.contains(ip("fe80::1")));
    }

    #[test]
    fn nonsense_is_refused_with_the_text() {
        for bad in ["", "proxy", "10.0.0.0/33", "10.0.0/8", "::1/129"] {
            let error = bad.parse::<AddressRange>().unwrap_err();
            assert!(error.to_string().contains(bad), "{error}");
        }
    }

    #[test]
    fn configuration_text_round_trips() {
        let ranges: Vec<AddressRange> =
            serde_json::from_str(r#"["127.0.0.1", "10.89.0.0/16"]"#).unwrap();
        assert_eq!(
            serde_json::to_string(&ranges).unwrap(),
            r#"["127.0.0.1","10.89.0.0/16"]"#
        );
        assert!(serde_json::from_str::<Vec<AddressRange>>(r#"["nope"]"#).is_err());
    }
}
