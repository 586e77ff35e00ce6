//! Framing between stdio and tower-lsp, robust against clients that send garbage.
//!
//! tower-lsp-server's own codec ends the message stream at the first frame it cannot decode
//! (a body that is not JSON, a bad `Content-Length`), which would leave the editor with a dead
//! server. Here stdin is read frame by frame: well-formed JSON-RPC messages are passed on to
//! tower-lsp through an in-memory pipe, anything else is answered with the JSON-RPC error
//! (`-32700` parse error, `-32600` invalid request) and skipped. Output from tower-lsp and these
//! answers are written to stdout whole frame by whole frame, never interleaved.

use serde_json::{json, Value};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
};
use tokio::sync::mpsc;

/// Largest message accepted (a 16 MB document plus JSON escaping); larger frames are skipped.
pub const MAX_FRAME: usize = 64 * 1024 * 1024;
/// Longest header line; longer ones are garbage.
const MAX_HEADER_LINE: usize = 8 * 1024;

/// What reading one frame produced.
#[derive(Debug, PartialEq)]
pub enum Frame {
    Body(Vec<u8>),
    /// A header block without a usable `Content-Length`, or a frame too large: skipped.
    Bad(String),
    Eof,
}

/// Reads one header line (up to `\n`), at most `MAX_HEADER_LINE` bytes kept.
async fn header_line<R: AsyncBufRead + Unpin>(input: &mut R) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    loop {
        let buf = input.fill_buf().await?;
        if buf.is_empty() {
            return Ok((!line.is_empty()).then(|| String::from_utf8_lossy(&line).into_owned()));
        }
        let (take, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if line.len() < MAX_HEADER_LINE {
            let room = MAX_HEADER_LINE - line.len();
            line.extend_from_slice(&buf[..take.min(room)]);
        }
        input.consume(take);
        if done {
            return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
        }
    }
}

/// Reads the next frame: headers (`Content-Length` required, others ignored), a blank line,
/// then the body.
pub async fn read_frame<R: AsyncBufRead + Unpin>(input: &mut R) -> std::io::Result<Frame> {
    read_frame_up_to(input, MAX_FRAME).await
}

/// `read_frame` with bodies over `max` bytes skipped (`Frame::Bad`).
async fn read_frame_up_to<R: AsyncBufRead + Unpin>(
    input: &mut R,
    max: usize,
) -> std::io::Result<Frame> {
    let mut length: Option<Result<usize, String>> = None;
    let mut seen_header = false;
    loop {
        let Some(line) = header_line(input).await? else {
            return Ok(Frame::Eof);
        };
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if !seen_header {
                // Stray blank lines between frames.
                continue;
            }
            break;
        }
        seen_header = true;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("invalid Content-Length `{}`", value.trim())),
                );
            }
        }
    }
    let length = match length {
        Some(Ok(n)) => n,
        Some(Err(e)) => return Ok(Frame::Bad(e)),
        None => return Ok(Frame::Bad("a header without Content-Length".into())),
    };
    if length > max {
        // Skip the body without holding it.
        let skipped =
            tokio::io::copy(&mut input.take(length as u64), &mut tokio::io::sink()).await?;
        if (skipped as usize) < length {
            return Ok(Frame::Eof);
        }
        return Ok(Frame::Bad(format!(
            "a message of {length} bytes is too large"
        )));
    }
    let mut body = vec![0; length];
    match input.read_exact(&mut body).await {
        Ok(_) => Ok(Frame::Body(body)),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(Frame::Eof),
        Err(e) => Err(e),
    }
}

pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_response(id: Value, code: i64, message: &str) -> Vec<u8> {
    let body = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    frame(body.to_string().as_bytes())
}

/// Checks a body: `Ok` to pass on, or the error answer to send instead (`None`: drop silently,
/// for a broken notification or response, which JSON-RPC never answers).
pub fn validate(body: &[u8]) -> Result<(), Option<Vec<u8>>> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return Err(Some(error_response(Value::Null, -32700, "Parse error"))),
    };
    let Some(object) = value.as_object() else {
        // Batches are not part of LSP.
        return Err(Some(error_response(Value::Null, -32600, "Invalid Request")));
    };
    let id = object.get("id").cloned();
    let id_ok = id
        .as_ref()
        .is_none_or(|id| id.is_string() || id.is_i64() || id.is_u64() || id.is_null());
    let version_ok = object.get("jsonrpc").and_then(Value::as_str) == Some("2.0");
    let params_ok = object
        .get("params")
        .is_none_or(|p| p.is_object() || p.is_array() || p.is_null());
    let is_request = object.get("method").is_some_and(Value::is_string);
    let is_response =
        id.is_some() && (object.contains_key("result") || object.contains_key("error"));
    if version_ok && id_ok && params_ok && (is_request || is_response) {
        return Ok(());
    }
    match id {
        Some(id) if id_ok && object.contains_key("method") => {
            Err(Some(error_response(id, -32600, "Invalid Request")))
        }
        Some(_) | None if !object.contains_key("method") && id.is_none() => {
            Err(Some(error_response(Value::Null, -32600, "Invalid Request")))
        }
        _ => Err(None),
    }
}

/// Copies stdin to the server's input, frame by frame, answering bad frames on `answers`.
pub async fn pump_input<R, W>(input: R, mut to_server: W, answers: mpsc::UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = tokio::io::BufReader::new(input);
    loop {
        match read_frame(&mut input).await {
            Ok(Frame::Body(body)) => match validate(&body) {
                Ok(()) => {
                    if to_server.write_all(&frame(&body)).await.is_err() {
                        return;
                    }
                }
                Err(Some(answer)) => {
                    tracing::warn!("rejected a malformed message");
                    let _ = answers.send(answer);
                }
                Err(None) => tracing::warn!("dropped a malformed notification"),
            },
            Ok(Frame::Bad(why)) => {
                tracing::warn!("skipped a bad frame: {why}");
                let _ = answers.send(error_response(Value::Null, -32700, "Parse error"));
            }
            Ok(Frame::Eof) | Err(_) => {
                // The client is gone: the server sees the end of its input.
                let _ = to_server.shutdown().await;
                return;
            }
        }
    }
}

/// Copies the server's output, frame by frame, to `out`. The server's own messages have no
/// size limit (the client's limit protects the server's memory, not the other way round): a
/// large publication is sent whole, and nothing the server writes ends the pump but the end
/// of its output.
pub async fn pump_output<R>(from_server: R, out: mpsc::UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
{
    let mut from_server = tokio::io::BufReader::new(from_server);
    loop {
        match read_frame_up_to(&mut from_server, usize::MAX).await {
            Ok(Frame::Body(body)) => {
                if out.send(frame(&body)).is_err() {
                    return;
                }
            }
            // tower-lsp frames its own output: this never happens, and must not stop the pump.
            Ok(Frame::Bad(why)) => tracing::error!("server output: skipped a bad frame: {why}"),
            Ok(Frame::Eof) | Err(_) => return,
        }
    }
}

/// Writes whole frames to stdout in the order they arrive, until an empty one.
pub async fn write_frames<W: AsyncWrite + Unpin>(
    mut out: W,
    mut frames: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    while let Some(frame) = frames.recv().await {
        // An empty frame: the server is done.
        if frame.is_empty() {
            return;
        }
        if out.write_all(&frame).await.is_err() || out.flush().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8]) -> Vec<Frame> {
        let mut reader = tokio::io::BufReader::new(input);
        let mut out = Vec::new();
        loop {
            let f = read_frame(&mut reader).await.unwrap();
            let end = f == Frame::Eof;
            out.push(f);
            if end {
                return out;
            }
        }
    }

    #[tokio::test]
    async fn frames_and_garbage() {
        let input = b"Content-Length: 2\r\n\r\n{}\r\nContent-Type: x\r\n\r\ncontent-length: abc\r\n\r\nContent-Length: 3\r\nContent-Type: application/vscode-jsonrpc\r\n\r\n[1]Content-Length: 10\r\n\r\n{}";
        assert_eq!(
            frames(input).await,
            [
                Frame::Body(b"{}".to_vec()),
                Frame::Bad("a header without Content-Length".into()),
                Frame::Bad("invalid Content-Length `abc`".into()),
                Frame::Body(b"[1]".to_vec()),
                Frame::Eof,
            ]
        );
    }

    #[tokio::test]
    async fn server_output_larger_than_the_input_limit_is_sent() {
        // A publication over `MAX_FRAME`, then a small response: both reach the client.
        let big = vec![b' '; MAX_FRAME + 1];
        let mut input = frame(&big);
        input.extend(frame(b"{}"));
        let (tx, mut rx) = mpsc::unbounded_channel();
        pump_output(&input[..], tx).await;
        let first = rx.recv().await.unwrap();
        assert_eq!(first.len(), frame(&big).len());
        assert_eq!(rx.recv().await.unwrap(), frame(b"{}"));
    }

    #[test]
    fn validation() {
        assert!(validate(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#).is_ok());
        assert!(validate(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).is_ok());
        assert!(validate(br#"{"jsonrpc":"2.0","id":1,"result":null}"#).is_ok());
        let answer = |b: &[u8]| -> Value {
            let bytes = validate(b).unwrap_err().unwrap();
            let body = &bytes[bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4..];
            serde_json::from_slice(body).unwrap()
        };
        assert_eq!(answer(b"{nope")["error"]["code"], -32700);
        assert_eq!(answer(b"[1,2]")["error"]["code"], -32600);
        assert_eq!(answer(br#"{"jsonrpc":"2.0"}"#)["error"]["code"], -32600);
        let bad = answer(br#"{"jsonrpc":"2.0","id":7,"method":"x","params":5}"#);
        assert_eq!(
            (bad["id"].clone(), bad["error"]["code"].clone()),
            (json!(7), json!(-32600))
        );
        // A broken notification is dropped, not answered.
        assert_eq!(validate(br#"{"jsonrpc":"1.0","method":"x"}"#), Err(None));
    }
}
