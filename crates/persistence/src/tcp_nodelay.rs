//! Turns Nagle's algorithm off on the sockets of PostgreSQL connections.
//!
//! sqlx 0.9.0 no longer sets `TCP_NODELAY` on the sockets it opens (sqlx
//! issue 4335; fixed upstream, not released yet). Without it, a statement
//! longer than one TCP segment, such as every multi-row insert of an import
//! batch or a mail with a large attachment, ends with a short segment that
//! the kernel holds back until the server acknowledges the previous ones,
//! and the server delays that acknowledgement by up to 40 ms. Seeding
//! 10,000 tickets over loopback took 36 s with the delay and 15 s without.
//!
//! sqlx does not hand its socket out, so each time the pool opens a
//! connection this process's TCP sockets connected to the database's port
//! that still have Nagle's algorithm on get `TCP_NODELAY`. A socket matched
//! by mistake (another connection to that port) only loses Nagle's
//! batching, which no socket of this process relies on. Linux only (it reads
//! `/proc/self/fd`); elsewhere this does nothing. Delete this module once
//! sqlx sets the option itself.

/// Sets `TCP_NODELAY` on every TCP socket of this process whose peer listens
/// on `port` and does not have it yet; returns how many it changed.
#[cfg(target_os = "linux")]
pub(crate) fn set_on_sockets_to(port: u16) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return 0;
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&fd| set_if_peer_port(fd, port))
        .count()
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn set_on_sockets_to(_port: u16) -> usize {
    0
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn set_if_peer_port(fd: i32, port: u16) -> bool {
    use std::os::fd::BorrowedFd;

    // SAFETY: the descriptor is only borrowed for the calls below and never
    // closed. If another thread closes it meanwhile, the calls fail with
    // EBADF or reach whatever the number now names; the only change they
    // make is TCP_NODELAY on a TCP socket whose peer listens on `port`,
    // which is harmless on any socket.
    let fd = unsafe { BorrowedFd::borrow_raw(fd) };
    let socket = socket2::SockRef::from(&fd);
    let to_port = socket
        .peer_addr()
        .ok()
        .and_then(|peer| peer.as_socket())
        .is_some_and(|peer| peer.port() == port);
    if !to_port || socket.r#type().ok() != Some(socket2::Type::STREAM) || socket.tcp_nodelay().unwrap_or(true) {
        return false;
    }
    socket.set_tcp_nodelay(true).is_ok()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::net::{TcpListener, TcpStream};

    use super::set_on_sockets_to;

    #[test]
    fn a_socket_to_the_port_gets_nodelay_and_others_do_not() {
        let target = TcpListener::bind("127.0.0.1:0").unwrap();
        let other = TcpListener::bind("127.0.0.1:0").unwrap();
        let to_target = TcpStream::connect(target.local_addr().unwrap()).unwrap();
        let to_other = TcpStream::connect(other.local_addr().unwrap()).unwrap();
        assert!(!to_target.nodelay().unwrap());

        assert!(set_on_sockets_to(target.local_addr().unwrap().port()) >= 1);

        assert!(to_target.nodelay().unwrap());
        assert!(!to_other.nodelay().unwrap(), "a socket to another port is left alone");
        // Already set: nothing left to change for this socket.
        let again = TcpStream::connect(target.local_addr().unwrap()).unwrap();
        assert_eq!(set_on_sockets_to(target.local_addr().unwrap().port()), 1);
        assert!(again.nodelay().unwrap());
    }
}
