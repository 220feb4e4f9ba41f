//! Tests that need the outbound guard ON and a server to reach run inside a user and network
//! namespace of their own (`unshare -rn`, as the p2p tests do): only loopback, with public
//! addresses added to it, so a "public" server runs on this machine and nothing can leave it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::process::Command;

/// A public IPv4 address served inside the namespace.
pub const PUBLIC_V4: Ipv4Addr = Ipv4Addr::new(93, 184, 216, 34);
/// A second public IPv4 address served inside the namespace.
pub const PUBLIC_V4_OTHER: Ipv4Addr = Ipv4Addr::new(93, 184, 216, 35);
/// A public IPv6 address served inside the namespace.
pub const PUBLIC_V6: Ipv6Addr = Ipv6Addr::new(0x2606, 0x2800, 0x220, 1, 0, 0, 0, 0x1946);

/// The public addresses of the namespace.
pub fn public_addresses() -> [IpAddr; 3] {
    [PUBLIC_V4.into(), PUBLIC_V4_OTHER.into(), PUBLIC_V6.into()]
}

const INSIDE: &str = "KINORA_TEST_IN_NETNS";

/// In the namespace: returns true, run the test. Outside: runs this test binary again, only
/// `test_name`, inside a fresh namespace, asserts it passed there, and returns false.
pub fn run_inside_namespace(test_name: &str) -> bool {
    if std::env::var_os(INSIDE).is_some() {
        return true;
    }
    let setup = format!(
        "ip link set lo up && ip addr add {PUBLIC_V4}/32 dev lo && \
         ip addr add {PUBLIC_V4_OTHER}/32 dev lo && ip -6 addr add {PUBLIC_V6}/128 dev lo nodad && \
         exec \"$0\" \"$@\""
    );
    let output = Command::new("unshare")
        .args(["-rn", "sh", "-c", &setup])
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", test_name, "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .output()
        .expect("unshare (util-linux) and ip (iproute2) are needed");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{test_name} in its namespace:\n{stdout}\n{stderr}"
    );
    false
}
