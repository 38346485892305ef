//! WebSocket clients of the benchmarks: many connections from one process.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// The source address of connection `i`: 127.0.0.1 .. 127.0.0.8, so that tens of
/// thousands of connections do not run out of ephemeral ports (8 × ~28,000).
pub fn source_address(i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + (i % 8) as u8))
}

/// Opens `ws://{addr}{path}` as connection `i`, with small buffers (the server's
/// memory is measured, but the generator's should stay small too).
pub async fn connect(addr: SocketAddr, i: usize, path: &str) -> anyhow::Result<Ws> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source_address(i), 0))?;
    let stream = socket.connect(addr).await?;
    stream.set_nodelay(true)?;
    let url = format!("ws://{addr}{path}");
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let (ws, _) = tokio_tungstenite::client_async_with_config(url, stream, Some(config)).await?;
    Ok(ws)
}
