//! Trust: a grant never goes to another principal than the one named, errors name their real
//! cause (and are JSON with `--output json`), and no call waits for ever.

mod endpoints;
mod json_errors;
mod principals;
mod profiles;
mod summaries;

/// An endpoint that accepts connections and never answers; returns its URL. The connections are
/// held open until the test ends.
pub async fn silent_endpoint() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    url
}

/// Runs the tool, failing the test if it has not finished after a generous minute.
async fn run_bounded(command: &mut tokio::process::Command) -> std::process::Output {
    tokio::time::timeout(std::time::Duration::from_secs(60), command.output())
        .await
        .expect("the tool gave up on the silent endpoint instead of hanging")
        .expect("the binary runs")
}

/// A web server that answers every request with `status` and `body`, as something that is not an
/// AWS endpoint would; returns its URL.
async fn web_server(status: &'static str, body: &'static str) -> String {
    web_server_with(status, "", body).await
}

/// A web server that answers every request with `status`, `headers` (`name: value\r\n` lines)
/// and `body`; returns its URL.
pub(crate) async fn web_server_with(
    status: &'static str,
    headers: &'static str,
    body: &'static str,
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                // Read the head and the body the request announces, then answer and close.
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    let Ok(n) = stream.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&seen).to_ascii_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if seen.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: text/html\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    url
}

/// The binary in an environment with no credentials anywhere (and no instance metadata).
fn without_credentials(args: &[&str]) -> tokio::process::Command {
    let mut command = crate::support::tool_command(&crate::support::endpoint(), args);
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ] {
        command.env_remove(name);
    }
    command.env("AWS_EC2_METADATA_DISABLED", "true");
    command
}
