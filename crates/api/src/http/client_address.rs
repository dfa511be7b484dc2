//! Who a request comes from: the one answer every rate limit keys on.

use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The address [`client_address`] decided on, handed to resolvers with the
/// request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientAddress(pub IpAddr);

/// The reverse proxies whose `X-Forwarded-For` is believed
/// (`HELPDESK_TRUSTED_PROXIES`: IPs and CIDRs, comma separated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn none() -> Self {
        Self::default()
    }

    fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }
}

impl FromStr for TrustedProxies {
    type Err = String;

    /// `"10.0.0.0/8, 127.0.0.1,::1"`; a bare address is a one-address network.
    fn from_str(list: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let net = match item.parse::<IpNet>() {
                Ok(net) => net,
                Err(_) => item
                    .parse::<IpAddr>()
                    .map(IpNet::from)
                    .map_err(|_| format!("{item:?} is neither an IP address nor a CIDR network"))?,
            };
            nets.push(net);
        }
        Ok(Self(nets))
    }
}

/// The client's address. The socket peer, unless the peer is a trusted
/// proxy: then the right-most `X-Forwarded-For` entry that is not a trusted
/// proxy, since every hop appends the address it saw and only the entries
/// our own proxies added can be believed; anything left of the first
/// untrusted one was written by the client. A garbled entry ends the walk
/// at the last address known good.
pub(crate) fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.contains(peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(address) = hop.parse::<IpAddr>() else { break };
        client = canonical(address);
        if !trusted.contains(client) {
            break;
        }
    }
    client
}

/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`, a dual-stack socket's view) as IPv4,
/// so one client has one key whatever socket it came in on.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let trusted: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(
            client_address(ip("198.51.100.7"), &headers, &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(ip("198.51.100.7"), &headers, &TrustedProxies::none()),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted: TrustedProxies = "10.0.0.0/8, 192.0.2.1".parse().unwrap();
        // The client forged the first entry; our proxies added the rest.
        let headers = forwarded(&["1.1.1.1, 203.0.113.9", "192.0.2.1"]);
        assert_eq!(client_address(ip("10.1.2.3"), &headers, &trusted), ip("203.0.113.9"));
        assert_eq!(
            client_address(ip("10.1.2.3"), &HeaderMap::new(), &trusted),
            ip("10.1.2.3"),
            "no header: the proxy itself"
        );
        let garbled = forwarded(&["203.0.113.9, not-an-ip"]);
        assert_eq!(client_address(ip("10.1.2.3"), &garbled, &trusted), ip("10.1.2.3"));
    }

    #[test]
    fn mapped_addresses_are_their_ipv4_selves() {
        let trusted: TrustedProxies = "127.0.0.1".parse().unwrap();
        let headers = forwarded(&["203.0.113.9"]);
        assert_eq!(
            client_address(ip("::ffff:127.0.0.1"), &headers, &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn lists_parse_addresses_and_networks() {
        assert!("10.0.0.0/8,::1, 127.0.0.1".parse::<TrustedProxies>().is_ok());
        assert_eq!("".parse::<TrustedProxies>().unwrap(), TrustedProxies::none());
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("proxy.example".parse::<TrustedProxies>().is_err());
    }
}
