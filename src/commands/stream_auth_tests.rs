//! Tests of the B's auth webhook rule (`stream_auth`): admissions, refusals, the webhook's
//! manifest id, key, ladder and timeout multiplier, and the events a decision records.

use super::stream_auth::*;
use super::Rejected;
use crate::commands::testing::fold;
use crate::events::{
    AdmittedStream, AuthDecision, Event, IngestSource, LadderProfile, StreamAuthDecided,
};

fn rung(name: &str) -> LadderProfile {
    LadderProfile {
        name: name.into(),
        width: 256,
        height: 144,
        bitrate: 400_000,
        fps: 30,
        fps_den: 1,
        profile: String::new(),
        gop: String::new(),
    }
}

/// Presets by name (only `P144p30fps16x9` known); profiles need a width.
struct Fake;
impl Ladders for Fake {
    fn presets(&self, names: &[String]) -> Vec<LadderProfile> {
        names
            .iter()
            .filter(|n| *n == "P144p30fps16x9")
            .map(|n| rung(n))
            .collect()
    }
    fn profiles(&self, json: &str) -> Result<Vec<LadderProfile>, String> {
        let list: Vec<serde_json::Value> = serde_json::from_str(json).map_err(|e| e.to_string())?;
        list.iter()
            .map(|p| match (p["name"].as_str(), p["width"].as_u64()) {
                (Some(n), Some(_)) => Ok(rung(n)),
                _ => Err("width must be a positive integer".to_string()),
            })
            .collect()
    }
}

fn answer(status: u16, body: &str) -> HookAnswer {
    HookAnswer::Answered {
        status,
        body: body.into(),
    }
}

fn decided(a: &HookAnswer) -> AuthDecision {
    let default = [rung("P240p30fps16x9")];
    let s = NewStream {
        url: "rtmp://127.0.0.1:1935/movie/secret",
        requested: "movie",
        key: "secret",
        default_ladder: &default,
    };
    decide(&s, a, &Fake).decision
}

fn admitted(a: &HookAnswer) -> AdmittedStream {
    match decided(a) {
        AuthDecision::Admitted(s) => s,
        other => panic!("{other:?}"),
    }
}

fn reason(a: &HookAnswer) -> String {
    match decided(a) {
        AuthDecision::Refused { reason } => reason,
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_empty_200_admits_the_stream_as_it_came() {
    let s = admitted(&answer(200, ""));
    assert_eq!((s.stream.as_str(), s.key.as_str()), ("movie", "secret"));
    assert_eq!(
        s.profiles,
        vec![rung("P240p30fps16x9")],
        "the B's own ladder"
    );
    assert_eq!(s.timeout_multiplier, 1);
}

#[test]
fn anything_but_a_200_or_an_answer_in_time_refuses() {
    assert_eq!(
        reason(&answer(403, "not you\n")),
        "status=403 error=not you"
    );
    assert_eq!(reason(&answer(201, "")), "status=201 error=");
    assert_eq!(
        reason(&HookAnswer::TimedOut { after_ms: 3000 }),
        "the auth webhook did not answer within 3000 ms"
    );
    assert!(
        reason(&HookAnswer::Unreachable("connection refused".into()))
            .contains("connection refused")
    );
    assert!(reason(&answer(200, "{not json")).contains("is not its JSON"));
    assert!(
        reason(&answer(200, " ")).contains("is not its JSON"),
        "only an empty body admits"
    );
    assert!(reason(&answer(200, r#"{"manifestID":"m","profiles":"x"}"#)).contains("not a list"));
    assert_eq!(reason(&answer(200, "{}")), "empty manifest id not allowed");
    assert_eq!(
        reason(&answer(200, r#"{"manifestID":"","streamKey":"k"}"#)),
        "empty manifest id not allowed"
    );
}

#[test]
fn a_json_200_renames_keys_and_sets_the_ladder_and_timeouts() {
    let s = admitted(&answer(
        200,
        r#"{"manifestID":"renamed","streamKey":"k2","presets":["P144p30fps16x9","nope"],
            "profiles":[{"name":"tiny","width":160,"height":90,"bitrate":100000}],
            "timeoutMultiplier":3,"objectStore":"ignored"}"#,
    ));
    assert_eq!((s.stream.as_str(), s.key.as_str()), ("renamed", "k2"));
    let names: Vec<&str> = s.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["P144p30fps16x9", "tiny"], "presets, then profiles");
    assert_eq!(s.timeout_multiplier, 3);
    // Without presets or profiles the B's ladder applies; without a key, the URL's.
    let s = admitted(&answer(200, r#"{"manifestID":"/stream/other.m3u8"}"#));
    assert_eq!((s.stream.as_str(), s.key.as_str()), ("other", "secret"));
    assert_eq!(s.profiles, vec![rung("P240p30fps16x9")]);
    let s = admitted(&answer(200, r#"{"manifestID":"m","timeoutMultiplier":-2}"#));
    assert_eq!(s.timeout_multiplier, 1);
    // A manifest id that parses to nothing keeps the URL's name (as the reference does).
    assert_eq!(
        admitted(&answer(200, r#"{"manifestID":"/"}"#)).stream,
        "movie"
    );
}

#[test]
fn a_ladder_the_b_cannot_use_is_unusable() {
    for body in [
        r#"{"manifestID":"m","profiles":[{"name":"x"}]}"#,
        r#"{"manifestID":"m","presets":["nope"]}"#,
        r#"{"manifestID":"m","profiles":[]}"#,
    ] {
        assert!(
            matches!(decided(&answer(200, body)), AuthDecision::Unusable { .. }),
            "{body}"
        );
    }
}

#[test]
fn an_admitted_stream_starts_under_its_manifest_id_and_a_refused_one_does_not() {
    let d = StreamAuthDecided {
        url: "rtmp://h/movie".into(),
        requested: "movie".into(),
        decision: AuthDecision::Admitted(AdmittedStream {
            stream: "renamed".into(),
            key: "k".into(),
            profiles: vec![rung("tiny")],
            timeout_multiplier: 1,
        }),
    };
    assert_eq!(rejection(&d), None);
    let events = record(&fold(&[]), d.clone(), Via::Rtmp);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0], Event::StreamAuthDecided(d.clone()));
    assert!(
        matches!(&events[1], Event::StreamStarted(s) if s.stream == "renamed"
            && s.profiles == ["tiny"]
            && s.source == IngestSource::Rtmp { app: "renamed".into(), key: "k".into() }),
        "{events:?}"
    );
    let no = StreamAuthDecided {
        decision: AuthDecision::Refused {
            reason: "status=403 error=no".into(),
        },
        ..d
    };
    assert_eq!(record(&fold(&[]), no.clone(), Via::Push).len(), 1);
    assert_eq!(
        rejection(&no),
        Some(Rejected::StreamForbidden {
            url: "rtmp://h/movie".into()
        })
    );
}
