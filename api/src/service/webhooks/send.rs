//! Sending one delivery: the signature each target expects, a client that reaches only public
//! addresses (unless configuration allows private ones), and what the receiver answered.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use entity::webhook::{self, Target};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How much of an answer is kept in the attempt log.
pub const KEPT_ANSWER_BYTES: usize = 1000;

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: Option<u16>,
    pub duration_ms: i32,
    pub body: Option<String>,
    /// Why it failed: no answer, a refusal in the body (DingTalk and WeCom answer 200 with an
    /// error code), or an address that may not be reached.
    pub error: Option<String>,
}

impl Answer {
    /// Delivered: a 2xx without an error.
    pub fn delivered(&self) -> bool {
        self.error.is_none() && self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Whether `ip` is an address a webhook may not reach without configuration allowing it: loopback,
/// private, link-local (cloud metadata services live there), shared, reserved and the like, also
/// when wrapped in an IPv6 form.
pub fn private_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return private_address(IpAddr::V4(v4));
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6].iter().all(|x| *x == 0) {
                let [.., a, b, c, d] = v6.octets();
                return private_address(IpAddr::from([a, b, c, d]));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || s[..6].iter().all(|x| *x == 0)
        }
    }
}

/// Checks a webhook URL as given: http or https, a host, at most 2,048 characters, and (unless
/// private addresses are allowed) no literal private address or `localhost`. Names are checked
/// again, resolved, at every attempt.
pub fn check_url(raw: &str, allow_private: bool) -> Result<reqwest::Url, String> {
    if raw.len() > 2048 {
        return Err("at most 2,048 characters".into());
    }
    let url = reqwest::Url::parse(raw.trim()).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the scheme must be http or https".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("put credentials in the secret, not in the URL".into());
    }
    let Some(host) = url.host_str() else {
        return Err("the URL names no host".into());
    };
    let private = match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(ip) => private_address(ip),
        Err(_) => {
            let name = host.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    if private && !allow_private {
        return Err("private, loopback and link-local addresses may not be webhook targets".into());
    }
    Ok(url)
}

/// Resolves names for the webhook client, dropping every private address unless they are allowed,
/// so a name that points (or is re-pointed) inside the network cannot be reached.
struct GuardedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> =
                found.into_iter().filter(|a| allow_private || !private_address(a.ip())).collect();
            if kept.is_empty() {
                let refused: Box<dyn std::error::Error + Send + Sync> =
                    format!("{} resolves to no public address", name.as_str()).into();
                return Err(refused);
            }
            let addrs: reqwest::dns::Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

/// The client every delivery of this process goes through: no redirects (a redirect could lead
/// anywhere), no proxy from the environment, a time limit for the whole exchange.
pub fn client(timeout: Duration, allow_private: bool) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        .user_agent(concat!("keyprojects-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// The Standard Webhooks signature of `body`: `v1,` and base64 of HMAC-SHA256 over
/// `id.timestamp.body` keyed with the secret's bytes (the base64 after `whsec_`).
pub fn standard_signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = BASE64.decode(secret.strip_prefix("whsec_")?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Some(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())))
}

/// DingTalk's signed URL: `timestamp` (milliseconds) and `sign`, base64 of HMAC-SHA256 over
/// `timestamp\nsecret` keyed with the secret, URL-encoded.
pub fn dingtalk_url(url: &str, secret: &str, timestamp_ms: i64) -> String {
    if secret.is_empty() {
        return url.to_owned();
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return url.to_owned();
    };
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    let sign: String = BASE64
        .encode(mac.finalize().into_bytes())
        .chars()
        .map(|c| match c {
            '+' => "%2B".to_owned(),
            '/' => "%2F".to_owned(),
            '=' => "%3D".to_owned(),
            c => c.to_string(),
        })
        .collect();
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}timestamp={timestamp_ms}&sign={sign}")
}

/// Sends `payload` to the webhook once. `message_id` is the Standard Webhooks `webhook-id`: the
/// same for every attempt at the same event, so receivers can drop repeats.
pub async fn send(
    client: &reqwest::Client,
    hook: &webhook::Model,
    message_id: &str,
    payload: &str,
    now: DateTime<Utc>,
    allow_private: bool,
) -> Answer {
    let started = Instant::now();
    let elapsed = |started: Instant| i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let refused = |error: String| Answer { status: None, duration_ms: 0, body: None, error: Some(error) };
    if let Err(e) = check_url(&hook.url, allow_private) {
        return refused(e);
    }
    let request = match hook.target {
        Target::Standard => {
            let ts = now.timestamp();
            let Some(signature) = standard_signature(&hook.secret, message_id, ts, payload.as_bytes()) else {
                return refused("the webhook's secret is not a `whsec_` secret".into());
            };
            client
                .post(&hook.url)
                .header("webhook-id", message_id)
                .header("webhook-timestamp", ts.to_string())
                .header("webhook-signature", signature)
        }
        Target::Dingtalk => client.post(dingtalk_url(&hook.url, &hook.secret, now.timestamp_millis())),
        Target::Wecom => client.post(&hook.url),
    };
    let answer = request.header("content-type", "application/json").body(payload.to_owned()).send().await;
    let mut response = match answer {
        Ok(r) => r,
        Err(e) => return Answer { error: Some(describe(&e)), duration_ms: elapsed(started), ..refused(String::new()) },
    };
    let status = response.status().as_u16();
    let mut kept = Vec::new();
    while kept.len() < KEPT_ANSWER_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk[..chunk.len().min(KEPT_ANSWER_BYTES - kept.len())]),
            Ok(None) | Err(_) => break,
        }
    }
    let body = String::from_utf8_lossy(&kept).into_owned();
    let error = match hook.target {
        Target::Standard => None,
        Target::Dingtalk | Target::Wecom => robot_refusal(&body),
    };
    Answer { status: Some(status), duration_ms: elapsed(started), body: Some(body), error }
}

/// DingTalk and WeCom answer 200 with `{"errcode": n, "errmsg": …}`; anything but 0 is a refusal.
fn robot_refusal(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    match value.get("errcode").and_then(serde_json::Value::as_i64) {
        Some(0) => None,
        Some(code) => Some(format!("the robot refused: errcode {code}, {}", value["errmsg"].as_str().unwrap_or(""))),
        None => None,
    }
}

/// An HTTP failure in words, without the URL (its query may hold a robot's key).
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "no answer within the time limit".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_told_apart_from_public_ones() {
        let private =
            ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0"];
        for ip in private.iter().chain(&["::1", "fd00::1", "fe80::1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "::"]) {
            assert!(private_address(ip.parse().expect("ip")), "{ip} is private");
        }
        for ip in ["8.8.8.8", "203.119.200.1", "2400:3200::1", "::ffff:8.8.8.8"] {
            assert!(!private_address(ip.parse().expect("ip")), "{ip} is public");
        }
    }

    #[test]
    fn urls_must_be_http_and_public_unless_allowed() {
        assert!(check_url("https://oapi.dingtalk.com/robot/send?access_token=x", false).is_ok());
        for bad in [
            "ftp://example.com/",
            "http://127.0.0.1:9/",
            "http://localhost/",
            "http://[::1]/",
            "http://u:p@example.com/",
            "nonsense",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad} refused");
        }
        assert!(check_url("http://127.0.0.1:9/", true).is_ok());
    }

    #[test]
    fn the_standard_signature_matches_the_specification_example() {
        // The example of the Standard Webhooks specification (its reference libraries' test).
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let sig = standard_signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(sig.as_deref(), Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
    }

    #[test]
    fn dingtalk_urls_carry_a_timestamp_and_an_encoded_signature() {
        let url = dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=t", "SECabc", 1_700_000_000_000);
        assert!(url.starts_with("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign="));
        let sign = url.rsplit("sign=").next().expect("sign");
        assert!(!sign.contains(['+', '/', '=']), "{sign}");
        assert_eq!(dingtalk_url("https://x/robot", "", 1), "https://x/robot");
    }
}
