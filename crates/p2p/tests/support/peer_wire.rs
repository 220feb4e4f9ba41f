//! Just enough of the BitTorrent peer wire protocol (BEP 3) to ask a seeder for one block:
//! handshake, `interested`, wait for `unchoke`, `request`, read `piece`. Every step is bounded.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long one step may take.
const STEP: Duration = Duration::from_secs(10);

const CHOKE: u8 = 0;
const UNCHOKE: u8 = 1;
const INTERESTED: u8 = 2;
const BITFIELD: u8 = 5;
const REQUEST: u8 = 6;
const PIECE: u8 = 7;

/// A connection whose handshake the seeder answered.
pub struct Peer {
    stream: TcpStream,
    /// The seeder's bitfield, once it sent one.
    pub bitfield: Option<Vec<u8>>,
    unchoked: bool,
}

/// Connects to `address` and offers a handshake for `info_hash`; `None` when the seeder does
/// not answer it with the same info hash (it closes connections for torrents it does not seed).
pub async fn handshake(address: SocketAddr, info_hash: [u8; 20]) -> Option<Peer> {
    let mut stream = tokio::time::timeout(STEP, TcpStream::connect(address))
        .await
        .expect("connecting took too long")
        .expect("the seeder listens");
    let mut hello = Vec::with_capacity(68);
    hello.push(19);
    hello.extend_from_slice(b"BitTorrent protocol");
    hello.extend_from_slice(&[0; 8]);
    hello.extend_from_slice(&info_hash);
    hello.extend_from_slice(b"-KT0001-wiretest0001");
    stream.write_all(&hello).await.ok()?;
    let mut answer = [0u8; 68];
    match tokio::time::timeout(STEP, stream.read_exact(&mut answer)).await {
        Ok(Ok(_)) => {}
        Ok(Err(_)) => return None,
        Err(_) => panic!("the seeder neither answered nor closed the connection"),
    }
    assert_eq!(&answer[1..20], b"BitTorrent protocol");
    (answer[28..48] == info_hash).then_some(Peer {
        stream,
        bitfield: None,
        unchoked: false,
    })
}

impl Peer {
    /// The next message (id, payload), skipping keep-alives.
    async fn message(&mut self) -> (u8, Vec<u8>) {
        loop {
            let mut length = [0u8; 4];
            tokio::time::timeout(STEP, self.stream.read_exact(&mut length))
                .await
                .expect("no message in time")
                .expect("the connection stays open");
            let length = u32::from_be_bytes(length) as usize;
            if length == 0 {
                continue;
            }
            assert!(length <= 1 << 20, "a {length}-byte message");
            let mut body = vec![0; length];
            tokio::time::timeout(STEP, self.stream.read_exact(&mut body))
                .await
                .expect("message cut short in time")
                .expect("the connection stays open");
            let id = body.remove(0);
            if id == BITFIELD {
                self.bitfield = Some(body.clone());
            }
            return (id, body);
        }
    }

    async fn send(&mut self, id: u8, payload: &[u8]) {
        let mut message = ((payload.len() + 1) as u32).to_be_bytes().to_vec();
        message.push(id);
        message.extend_from_slice(payload);
        self.stream.write_all(&message).await.unwrap();
    }

    /// Asks for `length` bytes at `begin` in piece `index` and returns them.
    pub async fn fetch_block(&mut self, index: u32, begin: u32, length: u32) -> Vec<u8> {
        if !self.unchoked {
            self.send(INTERESTED, &[]).await;
        }
        while !self.unchoked {
            match self.message().await.0 {
                UNCHOKE => self.unchoked = true,
                CHOKE => panic!("the seeder choked us"),
                _ => {}
            }
        }
        let mut request = index.to_be_bytes().to_vec();
        request.extend_from_slice(&begin.to_be_bytes());
        request.extend_from_slice(&length.to_be_bytes());
        self.send(REQUEST, &request).await;
        loop {
            let (id, body) = self.message().await;
            if id == PIECE {
                assert_eq!(&body[..4], index.to_be_bytes());
                assert_eq!(&body[4..8], begin.to_be_bytes());
                return body[8..].to_vec();
            }
        }
    }
}
