//! Where a webhook may be sent: the desk's whole address policy.
//!
//! A webhook URL is typed by an admin, but the desk is the one that
//! connects, from inside the network it runs in. Left open, a URL could make
//! it post to its own loopback services, the private network, or a cloud
//! metadata endpoint (server-side request forgery). So a target must be an
//! `http` or `https` URL whose host resolves only to public unicast
//! addresses, unless the host or address is on the operator's allow-list
//! (`HELPDESK_WEBHOOK_ALLOW`, for on-premise receivers).
//!
//! The check runs when a policy's URL is set, and again at every send, after
//! DNS resolution: the sender's resolver ([`CheckedResolver`]) hands the
//! HTTP client only addresses that passed, so a name that later resolves
//! elsewhere (DNS rebinding) cannot redirect the connection. Redirects are
//! never followed (see the sender).
//!
//! Refused, with IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible, NAT64
//! (`64:ff9b::/96`) and 6to4 (`2002::/16`) IPv6 forms judged by the IPv4
//! address they carry:
//! - IPv4: `0.0.0.0/8` (unspecified, "this network"), `10/8`, `172.16/12`,
//!   `192.168/16` (private, RFC 1918), `100.64/10` (shared, CGNAT), `127/8`
//!   (loopback), `169.254/16` (link-local), `192.0.0/24` (IETF protocol
//!   assignments), `192.0.2/24`, `198.51.100/24`, `203.0.113/24`
//!   (documentation), `198.18/15` (benchmarking), `224/4` (multicast), `240/4`
//!   (reserved) and `255.255.255.255` (broadcast);
//! - IPv6: `::` (unspecified), `::1` (loopback), `fc00::/7` (unique local),
//!   `fe80::/10` (link-local), `fec0::/10` (old site-local), `ff00::/8`
//!   (multicast), `2001:db8::/32` and `3fff::/20` (documentation), `100::/64`
//!   (discard), `2001::/23` (IETF protocol assignments, Teredo included),
//!   `64:ff9b:1::/48` (local NAT64);
//! - cloud metadata services wherever they live: `169.254.169.254`,
//!   `169.254.170.2`, `168.63.129.16`, `100.100.100.200`, `fd00:ec2::254`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use ipnet::IpNet;
use reqwest::Url;

/// Why a webhook target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("{0:?} is not an http(s) URL")]
    NotHttp(String),
    #[error(
        "{host} resolves to {addr}, a {kind} address; add the host or address to HELPDESK_WEBHOOK_ALLOW for an on-premise receiver"
    )]
    Forbidden {
        host: String,
        addr: IpAddr,
        kind: &'static str,
    },
    #[error("{host} does not resolve: {reason}")]
    Unresolvable { host: String, reason: String },
}

/// A bad `HELPDESK_WEBHOOK_ALLOW` entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("HELPDESK_WEBHOOK_ALLOW: {0:?} is neither a host name, an IP address nor a CIDR block")]
pub struct AllowListError(String);

/// The operator's exceptions: host names and address blocks webhooks may
/// reach even though they are not public.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookAllowList {
    hosts: Vec<String>,
    nets: Vec<IpNet>,
}

impl FromStr for WebhookAllowList {
    type Err = AllowListError;

    /// A comma-separated list of host names (`hooks.corp.example`), IP
    /// addresses (`10.1.2.3`, `::1`) and CIDR blocks (`10.20.0.0/16`).
    fn from_str(list: &str) -> Result<Self, AllowListError> {
        let mut allow = WebhookAllowList::default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let bare = entry.trim_start_matches('[').trim_end_matches(']');
            if let Ok(net) = bare.parse::<IpNet>() {
                allow.nets.push(net.trunc());
            } else if let Ok(ip) = bare.parse::<IpAddr>() {
                allow.nets.push(IpNet::from(canonical(ip)));
            } else if is_host_name(entry.trim_end_matches('.')) {
                allow.hosts.push(normalize_host(entry));
            } else {
                return Err(AllowListError(entry.to_owned()));
            }
        }
        Ok(allow)
    }
}

fn is_host_name(entry: &str) -> bool {
    entry
        .split('.')
        .all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

fn normalize_host(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// IPv4-mapped IPv6 addresses as the IPv4 address they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

impl WebhookAllowList {
    fn admits_host(&self, host: &str) -> bool {
        let host = normalize_host(host);
        self.hosts.contains(&host)
    }

    fn admits_addr(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// `Ok` when a connection to `ip` (named `host`) is allowed.
    pub fn check_addr(&self, host: &str, ip: IpAddr) -> Result<(), TargetError> {
        if self.admits_host(host) || self.admits_addr(ip) {
            return Ok(());
        }
        match forbidden_kind(ip) {
            Some(kind) => Err(TargetError::Forbidden {
                host: host.to_owned(),
                addr: ip,
                kind,
            }),
            None => Ok(()),
        }
    }

    /// Checks a webhook URL: http(s), and every address its host resolves to
    /// allowed. Returns those addresses.
    pub async fn check_url(&self, url: &str) -> Result<Vec<SocketAddr>, TargetError> {
        let parsed = url
            .parse::<Url>()
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| TargetError::NotHttp(url.to_owned()))?;
        let port = parsed
            .port_or_known_default()
            .ok_or_else(|| TargetError::NotHttp(url.to_owned()))?;
        let host = parsed.host_str().ok_or_else(|| TargetError::NotHttp(url.to_owned()))?;
        // The URL parser has already read every IPv4 spelling (`2130706433`,
        // `0x7f.1`) into dotted form, and IPv6 is bracketed.
        match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            Ok(ip) => self.checked(host, vec![SocketAddr::new(ip, port)]),
            Err(_) => self.resolve(host, port).await,
        }
    }

    /// Resolves `host` and checks every address it names.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, TargetError> {
        let found = tokio::net::lookup_host((host, port))
            .await
            .map_err(|err| TargetError::Unresolvable {
                host: host.to_owned(),
                reason: err.to_string(),
            })?
            .collect::<Vec<_>>();
        if found.is_empty() {
            return Err(TargetError::Unresolvable {
                host: host.to_owned(),
                reason: "no addresses".into(),
            });
        }
        self.checked(host, found)
    }

    /// All of `addrs` when every one is allowed: one forbidden answer among
    /// public ones is a sign of rebinding, not a reason to pick another.
    fn checked(&self, host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, TargetError> {
        for addr in &addrs {
            self.check_addr(host, addr.ip())?;
        }
        Ok(addrs)
    }
}

/// The HTTP client's resolver for webhooks: resolves a name and hands back
/// its addresses only when all pass the policy, so the connection goes to
/// an address that was checked.
pub struct CheckedResolver(pub Arc<WebhookAllowList>);

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.0.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // The port is the URL's; reqwest replaces this one.
            let addrs = allow.resolve(&host, 0).await?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Cloud metadata services, refused even where the range around them is public.
const METADATA: &[IpAddr] = &[
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V4(Ipv4Addr::new(169, 254, 170, 2)),
    IpAddr::V4(Ipv4Addr::new(168, 63, 129, 16)),
    IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254)),
];

/// IPv4 blocks a webhook may not reach, with what they are.
const V4_FORBIDDEN: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8, "unspecified"),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private"),
    (Ipv4Addr::new(100, 64, 0, 0), 10, "shared (CGNAT)"),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback"),
    (Ipv4Addr::new(169, 254, 0, 0), 16, "link-local"),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private"),
    (Ipv4Addr::new(192, 0, 0, 0), 24, "reserved"),
    (Ipv4Addr::new(192, 0, 2, 0), 24, "documentation"),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "private"),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "benchmarking"),
    (Ipv4Addr::new(198, 51, 100, 0), 24, "documentation"),
    (Ipv4Addr::new(203, 0, 113, 0), 24, "documentation"),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast"),
    (Ipv4Addr::new(255, 255, 255, 255), 32, "broadcast"),
    (Ipv4Addr::new(240, 0, 0, 0), 4, "reserved"),
];

/// IPv6 blocks a webhook may not reach (those carrying an IPv4 address are
/// judged by it, in [`forbidden_kind`]).
const V6_FORBIDDEN: &[(Ipv6Addr, u8, &str)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 128, "unspecified"),
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1), 128, "loopback"),
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48, "local NAT64"),
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64, "discard"),
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23, "reserved"),
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32, "documentation"),
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20, "documentation"),
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7, "unique local"),
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, "link-local"),
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10, "site-local"),
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, "multicast"),
];

/// What kind of non-public address `ip` is; `None` for a public unicast one.
pub fn forbidden_kind(ip: IpAddr) -> Option<&'static str> {
    if METADATA.contains(&ip) {
        return Some("cloud metadata");
    }
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            V4_FORBIDDEN
                .iter()
                .find(|(net, len, _)| prefix_matches(bits.into(), u32::from(*net).into(), *len, 32))
                .map(|(_, _, kind)| *kind)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return forbidden_kind(IpAddr::V4(v4));
            }
            let bits = u128::from(v6);
            V6_FORBIDDEN
                .iter()
                .find(|(net, len, _)| prefix_matches(bits, u128::from(*net), *len, 128))
                .map(|(_, _, kind)| *kind)
        }
    }
}

/// The IPv4 address an IPv6 one stands for: mapped `::ffff:0:0/96`,
/// compatible `::/96` (but not `::` and `::1`), NAT64 `64:ff9b::/96`, 6to4
/// `2002::/16`.
fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(v6);
    let low32 = Ipv4Addr::from(u32::try_from(bits & 0xffff_ffff).unwrap_or_default());
    let segments = v6.segments();
    if let Some(mapped) = v6.to_ipv4_mapped() {
        Some(mapped)
    } else if (bits >> 32 == 0 && bits > 1) || segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        // IPv4-compatible (`::a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`).
        Some(low32)
    } else if segments[0] == 0x2002 {
        let [a, b] = segments[1].to_be_bytes();
        let [c, d] = segments[2].to_be_bytes();
        Some(Ipv4Addr::new(a, b, c, d))
    } else {
        None
    }
}

fn prefix_matches(addr: u128, net: u128, len: u8, width: u8) -> bool {
    let shift = u32::from(width - len);
    if shift >= 128 {
        return true;
    }
    addr >> shift == net >> shift
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(ip: &str) -> Option<&'static str> {
        forbidden_kind(ip.parse().expect("an address literal"))
    }

    // Address literals are only classified here, never connected to.
    #[test]
    fn non_public_ipv4_blocks_are_named() {
        for (ip, expected) in [
            ("127.0.0.1", "loopback"),
            ("127.255.255.254", "loopback"),
            ("10.0.0.1", "private"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.168.1.1", "private"),
            ("100.64.0.1", "shared (CGNAT)"),
            ("100.127.255.255", "shared (CGNAT)"),
            ("169.254.0.1", "link-local"),
            ("169.254.169.254", "cloud metadata"),
            ("168.63.129.16", "cloud metadata"),
            ("100.100.100.200", "cloud metadata"),
            ("0.0.0.0", "unspecified"),
            ("0.1.2.3", "unspecified"),
            ("192.0.2.10", "documentation"),
            ("198.51.100.10", "documentation"),
            ("203.0.113.10", "documentation"),
            ("198.18.0.1", "benchmarking"),
            ("224.0.0.1", "multicast"),
            ("239.255.255.250", "multicast"),
            ("255.255.255.255", "broadcast"),
            ("240.0.0.1", "reserved"),
            ("192.0.0.192", "reserved"),
        ] {
            assert_eq!(kind(ip), Some(expected), "{ip}");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "172.15.255.255",
            "100.128.0.1",
            "11.0.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200e",
        ] {
            assert_eq!(kind(ip), None, "{ip}");
        }
    }

    #[test]
    fn non_public_ipv6_blocks_are_named() {
        for (ip, expected) in [
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fc00::1", "unique local"),
            ("fd12:3456::1", "unique local"),
            ("fd00:ec2::254", "cloud metadata"),
            ("fe80::1", "link-local"),
            ("febf::1", "link-local"),
            ("fec0::1", "site-local"),
            ("ff02::1", "multicast"),
            ("2001:db8::1", "documentation"),
            ("3fff::1", "documentation"),
            ("100::1", "discard"),
            ("2001::1", "reserved"),
            ("64:ff9b:1::1", "local NAT64"),
        ] {
            assert_eq!(kind(ip), Some(expected), "{ip}");
        }
    }

    #[test]
    fn ipv6_forms_of_ipv4_addresses_are_judged_by_the_ipv4_address() {
        for (ip, expected) in [
            ("::ffff:127.0.0.1", Some("loopback")),
            ("::ffff:7f00:1", Some("loopback")),
            ("::ffff:10.0.0.1", Some("private")),
            ("::ffff:169.254.169.254", Some("cloud metadata")),
            ("::ffff:100.64.0.1", Some("shared (CGNAT)")),
            ("::127.0.0.1", Some("loopback")),
            ("::192.168.0.1", Some("private")),
            ("64:ff9b::10.0.0.1", Some("private")),
            ("64:ff9b::7f00:1", Some("loopback")),
            ("2002:7f00:1::", Some("loopback")),
            ("2002:c0a8:101::1", Some("private")),
            ("::ffff:8.8.8.8", None),
            ("64:ff9b::8.8.8.8", None),
            ("2002:808:808::1", None),
        ] {
            assert_eq!(kind(ip), expected, "{ip}");
        }
    }

    #[test]
    fn the_allow_list_reads_hosts_addresses_and_blocks() {
        let allow: WebhookAllowList = "hooks.corp.example, 10.20.0.0/16, 127.0.0.1, [::1], LocalHost."
            .parse()
            .expect("a valid list");
        assert!(allow.check_addr("x", "10.20.3.4".parse().expect("ip")).is_ok());
        assert!(allow.check_addr("x", "10.21.0.1".parse().expect("ip")).is_err());
        assert!(allow.check_addr("x", "127.0.0.1".parse().expect("ip")).is_ok());
        assert!(allow.check_addr("x", "::ffff:127.0.0.1".parse().expect("ip")).is_ok());
        assert!(allow.check_addr("x", "127.0.0.2".parse().expect("ip")).is_err());
        assert!(allow.check_addr("x", "::1".parse().expect("ip")).is_ok());
        assert!(
            allow
                .check_addr("hooks.corp.example.", "192.168.9.9".parse().expect("ip"))
                .is_ok()
        );
        assert!(allow.check_addr("localhost", "127.0.0.9".parse().expect("ip")).is_ok());
        assert!(
            allow
                .check_addr("other.example", "8.8.8.8".parse().expect("ip"))
                .is_ok()
        );
        assert_eq!(
            "".parse::<WebhookAllowList>().expect("empty is valid"),
            WebhookAllowList::default()
        );
        assert!("10.0.0.0/33".parse::<WebhookAllowList>().is_err());
        assert!("http://x".parse::<WebhookAllowList>().is_err());
        assert!("a..b".parse::<WebhookAllowList>().is_err());
    }

    #[test]
    fn the_error_names_the_address_and_what_it_is() {
        let err = WebhookAllowList::default()
            .check_addr("localhost", "127.0.0.1".parse().expect("ip"))
            .expect_err("refused");
        assert_eq!(
            err.to_string(),
            "localhost resolves to 127.0.0.1, a loopback address; add the host or address to HELPDESK_WEBHOOK_ALLOW for an on-premise receiver"
        );
    }
}
