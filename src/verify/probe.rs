//! The probe turn of `verify`: what each attempt sends (a new session, and on an alias with
//! selective conversation log capture the session attributes that ask Lex to log the turn), how
//! often it is sent again while no log has arrived, and what it does to the bot.
//!
//! Why again: Lex applies an alias's log settings to new sessions, and IAM changes take seconds
//! to minutes to reach Lex, so one turn sent right after `apply` can be lost for good; a fresh
//! session every few seconds is logged as soon as both have arrived.
//!
//! Selective logging (Lex V2 developer guide, "Manage selective conversation log capture",
//! <https://docs.aws.amazon.com/lexv2/latest/dg/manage-selective-logging.html>, and its example
//! page `example-selective-logging.html`): when a text or audio log setting has
//! `selectiveLoggingEnabled`, Lex logs only turns that a session attribute
//! `x-amz-lex:enable-text-logging:<intent>:<slot>` (text) or
//! `x-amz-lex:enable-audio-logging:<intent>:<slot>` (audio) set to `"true"` allows; `*` matches
//! any intent or slot; with no such attribute nothing is logged; without the flag the attributes
//! are ignored. The probe sets both with `*:*`, so whatever intent the probe falls to (usually the
//! FallbackIntent), the turn is logged.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::resources::alias::Alias;

/// The session attribute that asks for text logs of every intent and slot.
pub const TEXT_LOGGING_ATTRIBUTE: &str = "x-amz-lex:enable-text-logging:*:*";
/// The session attribute that asks for audio logs of every intent and slot.
pub const AUDIO_LOGGING_ATTRIBUTE: &str = "x-amz-lex:enable-audio-logging:*:*";

/// What a probe turn does to the bot, said in every report that sent one.
pub const EFFECTS: &str = "each attempt is one turn in a new session: it runs the bot like any user's turn (usually its FallbackIntent, with the intent's dialog and fulfillment code hooks), and shows in the bot's analytics and metrics";

/// What the probe turns of one alias carry, as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    /// Whether the alias's text and audio settings log selectively.
    pub selective_text: bool,
    pub selective_audio: bool,
    /// The session attributes every probe turn sets (only with selective logging).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub session_attributes: BTreeMap<String, String>,
    /// What the turn does to the bot.
    pub effects: String,
}

impl Probe {
    /// The probe of `alias`: the session attributes its selective settings need.
    pub fn of(alias: &Alias) -> Self {
        let (text, audio) = alias.log_settings().unwrap_or_default().selective();
        Probe::with(text, audio)
    }

    pub fn with(selective_text: bool, selective_audio: bool) -> Self {
        let mut session_attributes = BTreeMap::new();
        if selective_text {
            session_attributes.insert(TEXT_LOGGING_ATTRIBUTE.to_string(), "true".to_string());
        }
        if selective_audio {
            session_attributes.insert(AUDIO_LOGGING_ATTRIBUTE.to_string(), "true".to_string());
        }
        Probe {
            selective_text,
            selective_audio,
            session_attributes,
            effects: EFFECTS.to_string(),
        }
    }

    /// The line the text report shows about selective logging, if the alias has it.
    pub fn selective_note(&self) -> Option<String> {
        let channels = match (self.selective_text, self.selective_audio) {
            (true, true) => "text and audio logs",
            (true, false) => "text logs",
            (false, true) => "audio logs",
            (false, false) => return None,
        };
        let attributes: Vec<String> = self
            .session_attributes
            .keys()
            .map(|k| format!("{k} = \"true\""))
            .collect();
        Some(format!(
            "selective logging on ({channels}): the probe set the session attributes {} so that Lex logs it; your users' turns are logged only when theirs ask for it",
            attributes.join(", ")
        ))
    }
}

/// How long after an attempt the next one is sent while no log has arrived: every 5 seconds for
/// the first minute (IAM usually settles within it), then every 10 seconds.
pub fn resend_after(elapsed: Duration) -> Duration {
    if elapsed < Duration::from_secs(60) {
        Duration::from_secs(5)
    } else {
        Duration::from_secs(10)
    }
}

/// `bytes` as RecognizeUtterance wants its `sessionState` header: gzip, then base64 (Lex V2 API
/// reference, RecognizeUtterance). The gzip member holds stored (uncompressed) deflate blocks:
/// valid gzip that needs no compressor for a few hundred bytes of JSON.
pub fn gzip_base64(bytes: &[u8]) -> String {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut chunks = bytes.chunks(u16::MAX as usize).peekable();
    if chunks.peek().is_none() {
        out.extend([1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        let len = chunk.len() as u16;
        out.push(u8::from(last));
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(chunk);
    }
    out.extend(crc32(bytes).to_le_bytes());
    out.extend((bytes.len() as u32).to_le_bytes());
    aws_smithy_types::base64::encode(out)
}

/// CRC-32 (IEEE 802.3), as gzip's trailer wants it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (!(crc & 1)).wrapping_add(1));
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selective_settings_get_their_attributes_and_a_note() {
        let none = Probe::with(false, false);
        assert!(none.session_attributes.is_empty());
        assert_eq!(none.selective_note(), None);
        let text = Probe::with(true, false);
        assert_eq!(
            text.session_attributes.keys().collect::<Vec<_>>(),
            vec!["x-amz-lex:enable-text-logging:*:*"]
        );
        let both = Probe::with(true, true);
        assert_eq!(both.session_attributes.len(), 2);
        let note = both.selective_note().unwrap();
        assert!(
            note.starts_with("selective logging on (text and audio logs)")
                && note.contains("x-amz-lex:enable-audio-logging:*:* = \"true\""),
            "{note}"
        );
        assert!(both.effects.contains("FallbackIntent") && both.effects.contains("analytics"));
    }

    #[test]
    fn attempts_are_every_5_then_every_10_seconds() {
        assert_eq!(resend_after(Duration::ZERO), Duration::from_secs(5));
        assert_eq!(
            resend_after(Duration::from_secs(59)),
            Duration::from_secs(5)
        );
        assert_eq!(
            resend_after(Duration::from_secs(60)),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn the_session_state_header_is_gzip_then_base64() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let encoded = gzip_base64(b"{\"a\":1}");
        let raw = aws_smithy_types::base64::decode(&encoded).unwrap();
        assert_eq!(&raw[..3], &[0x1f, 0x8b, 8]);
        // One final stored block of 7 bytes, then the data, the CRC and the size.
        assert_eq!(&raw[10..15], &[1, 7, 0, 0xf8, 0xff]);
        assert_eq!(&raw[15..22], b"{\"a\":1}");
        assert_eq!(&raw[22..26], &crc32(b"{\"a\":1}").to_le_bytes());
        assert_eq!(&raw[26..], &7u32.to_le_bytes());
    }
}
