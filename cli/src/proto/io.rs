//! Bounded I/O for the clients: a stream wrapper that refuses to read more than a
//! byte budget, and reads that stop at a delimiter, a size or a deadline.

use anyhow::{bail, Context, Result};
use std::io;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};

/// What the clients talk over: a `TcpStream`, `&mut TcpStream` (the prober lends its
/// open connection), or a TLS stream.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// A stream that fails reads once `budget` bytes have been read, so a peer that
/// streams forever (or a TLS peer with a giant certificate chain) is cut off.
#[derive(Debug)]
pub struct Capped<S> {
    inner: S,
    budget: usize,
}

impl<S> Capped<S> {
    pub fn new(inner: S, budget: usize) -> Capped<S> {
        Capped { inner, budget }
    }
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Capped<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.budget == 0 {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "peer sent more than the read limit",
            )));
        }
        let want = buf.remaining().min(self.budget);
        let mut limited = ReadBuf::new(buf.initialize_unfilled_to(want));
        let res = Pin::new(&mut self.inner).poll_read(cx, &mut limited);
        let n = limited.filled().len();
        if let Poll::Ready(Ok(())) = res {
            buf.advance(n);
            self.budget -= n;
        }
        res
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Capped<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Reads until `done(buf)` says the message is complete, EOF, `max` bytes or `timeout`;
/// returns what arrived. Timing out with nothing read is an error.
pub async fn read_until<R, F>(r: &mut R, max: usize, timeout: Duration, done: F) -> Result<Vec<u8>>
where
    R: AsyncRead + Unpin,
    F: Fn(&[u8]) -> bool,
{
    let mut buf = Vec::with_capacity(max.min(4096));
    let deadline = tokio::time::Instant::now() + timeout;
    let mut chunk = [0u8; 2048];
    while buf.len() < max && !done(&buf) {
        let want = chunk.len().min(max - buf.len());
        let n = match tokio::time::timeout_at(deadline, r.read(&mut chunk[..want])).await {
            Err(_) if buf.is_empty() => bail!("no reply within {timeout:?}"),
            Err(_) => break,
            Ok(r) => r.context("reading reply")?,
        };
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(buf)
}

/// Reads exactly `n` bytes (at most `n`), or fails at EOF or `timeout`.
pub async fn read_exact<R: AsyncRead + Unpin>(
    r: &mut R,
    n: usize,
    timeout: Duration,
) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; n];
    tokio::time::timeout(timeout, r.read_exact(&mut buf))
        .await
        .map_err(|_| anyhow::anyhow!("no complete reply within {timeout:?}"))?
        .context("reading reply")?;
    Ok(buf)
}
