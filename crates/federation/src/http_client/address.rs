//! Which IP addresses the outbound client may connect to (SSRF-01).
//!
//! IPv4: every special-purpose range of the IANA registry that is not globally reachable is
//! refused (loopback, private, link-local, CGNAT, benchmarking, documentation, multicast,
//! reserved, "this network", the IETF protocol block, the 6to4 relay anycast).
//! IPv6 is an allow-list: only global unicast (`2000::/3`) outside its special blocks (IETF
//! protocol assignments with Teredo, documentation, 6to4), plus v4-mapped and NAT64
//! (`64:ff9b::/96`) addresses whose embedded IPv4 address is allowed. Everything else — `::`,
//! `::1`, unique local, link-local, site-local, multicast, discard, NAT64 local-use, SRv6 —
//! is refused.
//!
//! With `allow_private_addresses` only the addresses nobody can connect to stay refused
//! (unspecified, multicast, reserved and broadcast).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The IPv4 ranges refused unless private addresses are allowed: (network, prefix, reason).
const REFUSED_V4: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8, "this network"),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private"),
    (Ipv4Addr::new(100, 64, 0, 0), 10, "carrier-grade NAT"),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback"),
    (Ipv4Addr::new(169, 254, 0, 0), 16, "link-local"),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private"),
    (Ipv4Addr::new(192, 0, 0, 0), 24, "IETF protocol assignments"),
    (Ipv4Addr::new(192, 0, 2, 0), 24, "documentation"),
    (Ipv4Addr::new(192, 88, 99, 0), 24, "6to4 relay anycast"),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "private"),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "benchmarking"),
    (Ipv4Addr::new(198, 51, 100, 0), 24, "documentation"),
    (Ipv4Addr::new(203, 0, 113, 0), 24, "documentation"),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast"),
    (Ipv4Addr::new(240, 0, 0, 0), 4, "reserved"),
];

/// The IPv4 ranges refused even when private addresses are allowed.
const NEVER_CONNECTABLE_V4: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8, "this network"),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast"),
    (Ipv4Addr::new(240, 0, 0, 0), 4, "reserved"),
];

/// Blocks inside `2000::/3` that are not global unicast: (network, prefix, reason).
const REFUSED_INSIDE_GLOBAL_V6: &[(Ipv6Addr, u8, &str)] = &[
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        23,
        "IETF protocol assignments (Teredo, benchmarking, ORCHID)",
    ),
    (
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        "documentation",
    ),
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16, "6to4"),
    (
        Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),
        20,
        "documentation",
    ),
];

/// Names for the common refused IPv6 blocks outside `2000::/3`, for clearer errors.
const NAMED_V6: &[(Ipv6Addr, u8, &str)] = &[
    (Ipv6Addr::UNSPECIFIED, 128, "unspecified"),
    (Ipv6Addr::LOCALHOST, 128, "loopback"),
    (
        Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0),
        64,
        "discard-only",
    ),
    (
        Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
        48,
        "NAT64 local-use",
    ),
    (
        Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
        7,
        "unique local",
    ),
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, "link-local"),
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10, "site-local"),
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, "multicast"),
];

/// Why the client must not connect to `address`, or `None` when it may.
/// `allow_private_addresses` is the `[federation]` switch for tests on one machine.
pub fn refusal_reason(address: IpAddr, allow_private_addresses: bool) -> Option<&'static str> {
    match address {
        IpAddr::V4(v4) => refusal_reason_v4(v4, allow_private_addresses),
        IpAddr::V6(v6) => refusal_reason_v6(v6, allow_private_addresses),
    }
}

/// Whether `address` is one the client may connect to with the guard on.
pub fn is_public_address(address: IpAddr) -> bool {
    refusal_reason(address, false).is_none()
}

fn refusal_reason_v4(address: Ipv4Addr, allow_private: bool) -> Option<&'static str> {
    let table = if allow_private {
        NEVER_CONNECTABLE_V4
    } else {
        REFUSED_V4
    };
    let bits = u32::from(address);
    table
        .iter()
        .find(|(network, prefix, _)| bits >> (32 - prefix) == u32::from(*network) >> (32 - prefix))
        .map(|(_, _, reason)| *reason)
}

fn refusal_reason_v6(address: Ipv6Addr, allow_private: bool) -> Option<&'static str> {
    if let Some(embedded) = embedded_v4(address) {
        return refusal_reason_v4(embedded, allow_private);
    }
    if allow_private {
        return if address.is_unspecified() {
            Some("unspecified")
        } else if address.segments()[0] >> 8 == 0xff {
            Some("multicast")
        } else {
            None
        };
    }
    if let Some(reason) = find_v6(NAMED_V6, address) {
        return Some(reason);
    }
    if address.segments()[0] >> 13 != 0b001 {
        return Some("not global unicast");
    }
    find_v6(REFUSED_INSIDE_GLOBAL_V6, address)
}

/// The IPv4 address inside a v4-mapped (`::ffff:a.b.c.d`) or NAT64 well-known prefix
/// (`64:ff9b::a.b.c.d`) address: connecting to it reaches that IPv4 host.
fn embedded_v4(address: Ipv6Addr) -> Option<Ipv4Addr> {
    let segments = address.segments();
    let low = Ipv4Addr::new(
        (segments[6] >> 8) as u8,
        segments[6] as u8,
        (segments[7] >> 8) as u8,
        segments[7] as u8,
    );
    let v4_mapped = segments[..5] == [0; 5] && segments[5] == 0xffff;
    let nat64 = segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    (v4_mapped || nat64).then_some(low)
}

fn find_v6(table: &[(Ipv6Addr, u8, &'static str)], address: Ipv6Addr) -> Option<&'static str> {
    let bits = u128::from(address);
    table
        .iter()
        .find(|(network, prefix, _)| {
            let shift = 128 - u32::from(*prefix);
            bits.checked_shr(shift).unwrap_or(0)
                == u128::from(*network).checked_shr(shift).unwrap_or(0)
        })
        .map(|(_, _, reason)| *reason)
}
