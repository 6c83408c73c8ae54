//! Unit tests of the spec: principals, names, and the checks a target gets.

use super::valid::{valid_bucket_name, valid_kms_key_ref, ROLE_NAME_MAX};
use super::*;

#[test]
fn principals_parse_from_short_forms_and_arns() {
    let p: Principal = "user/alice".parse().unwrap();
    assert_eq!((p.kind, p.name.as_str()), (PrincipalKind::User, "alice"));
    let p: Principal = "arn:aws:iam::123456789012:role/ci/deployer"
        .parse()
        .unwrap();
    assert_eq!((p.kind, p.name.as_str()), (PrincipalKind::Role, "deployer"));
    assert_eq!(p.to_string(), "role/deployer");
    for bad in [
        "alice",
        "bucket/x",
        "user/",
        "arn:aws:s3:::b/x",
        "user/a,b",
        "user/has space",
    ] {
        assert!(bad.parse::<Principal>().is_err(), "{bad}");
    }
}

#[test]
fn principals_keep_the_account_and_path_they_were_given_with() {
    let located = |text: &str| Principal::parse_given(text).unwrap().1;
    assert_eq!(located("user/alice"), None, "this account, any path");
    let l = located("arn:aws-cn:iam::111122223333:role/ci/deploy/deployer").unwrap();
    assert_eq!(l.principal.to_string(), "role/deployer");
    assert_eq!(
        (
            l.partition.as_deref(),
            l.account.as_deref(),
            l.path.as_str()
        ),
        (Some("aws-cn"), Some("111122223333"), "/ci/deploy/")
    );
    assert_eq!(
        l.given,
        "arn:aws-cn:iam::111122223333:role/ci/deploy/deployer"
    );
    let l = located("arn:aws:iam::111122223333:group/admins").unwrap();
    assert_eq!(
        (l.path.as_str(), l.principal.kind),
        ("/", PrincipalKind::Group)
    );
    let l = located("user/team-a/alice").unwrap();
    assert_eq!((l.account, l.path.as_str()), (None, "/team-a/"));
    for bad in [
        "arn:aws:iam:us-east-1:111122223333:user/alice",
        "arn:aws:iam::1234:user/alice",
        "arn:aws:iam::111122223333:user//alice",
        "user/a b/alice",
    ] {
        assert!(Principal::parse_given(bad).is_err(), "{bad}");
    }
}

#[test]
fn names_are_validated_like_aws_does() {
    assert!(valid_log_group_name("/aws/lex/OrderBot#1"));
    assert!(!valid_log_group_name("bad group"));
    assert!(!valid_log_group_name(""));
    assert!(valid_bucket_name("order-audio.logs"));
    for bad in ["Upper", "ab", "-start", "end-", "a..b", "under_score"] {
        assert!(!valid_bucket_name(bad), "{bad}");
    }
    for good in [
        "alias/lex-audio",
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:1:key/abc",
        "arn:aws:kms:us-east-1:1:alias/x",
        "mrk-1234",
    ] {
        assert!(valid_kms_key_ref(good), "{good}");
    }
    for bad in [
        "alias/",
        "not a key!",
        "arn:aws:s3:::bucket",
        "arn:aws:kms:us-east-1:1:thing/x",
    ] {
        assert!(!valid_kms_key_ref(bad), "{bad}");
    }
}

#[test]
fn default_role_names_fit_iam_and_stay_distinct() {
    assert_eq!(default_role_name("OrderBot"), "LexLogs-OrderBot");
    let long_a = format!("{}A", "x".repeat(99));
    let long_b = format!("{}B", "x".repeat(99));
    let (a, b) = (default_role_name(&long_a), default_role_name(&long_b));
    assert!(a.len() <= ROLE_NAME_MAX && b.len() <= ROLE_NAME_MAX);
    assert_ne!(a, b);
    assert_eq!(a, default_role_name(&long_a), "stable");
}

#[test]
fn file_targets_get_the_same_conflict_checks_as_flags() {
    let t = TargetConfig {
        bot: "B".into(),
        aliases: vec!["a".into()],
        no_text_logs: true,
        log_group: Some("g".into()),
        ..Default::default()
    };
    assert!(Spec::from_target(&t)
        .unwrap_err()
        .to_string()
        .contains("--no-text-logs conflicts with --log-group"));
    let t = TargetConfig {
        bot: "B".into(),
        aliases: vec!["a".into()],
        kms_key: Some("alias/k".into()),
        ..Default::default()
    };
    assert!(Spec::from_target(&t)
        .unwrap_err()
        .to_string()
        .contains("--kms-key needs --audio-bucket"));
    let t = TargetConfig {
        bot: "B".into(),
        ..Default::default()
    };
    assert!(Spec::from_target(&t)
        .unwrap_err()
        .to_string()
        .contains("no alias"));
}

#[test]
fn a_prefix_must_end_with_a_slash_for_text_and_audio_by_flag_and_by_file() {
    let target = |log: Option<&str>, audio: Option<&str>| TargetConfig {
        bot: "B".into(),
        aliases: vec!["a".into()],
        log_prefix: log.map(str::to_string),
        audio_bucket: Some("audio-bucket".into()),
        audio_prefix: audio.map(str::to_string),
        ..Default::default()
    };
    let refused = |t: &TargetConfig, names: &Names| {
        TargetSpec::from_named_target(t, names)
            .unwrap_err()
            .to_string()
    };
    let flags = Names::default();
    let err = refused(&target(Some("lex"), None), &flags);
    assert!(
        err.contains("--log-prefix \"lex\" does not end with '/'")
            && err.contains("use --log-prefix \"lex/\""),
        "{err}"
    );
    let err = refused(&target(None, Some("calls/2024")), &flags);
    assert!(
        err.contains("--audio-prefix \"calls/2024\" does not end with '/'")
            && err.contains("\"lexicon/...\"")
            && err.contains("use --audio-prefix \"calls/2024/\""),
        "{err}"
    );
    let lines = [
        ("log_prefix".to_string(), 4),
        ("audio_prefix".to_string(), 6),
    ];
    let file = Names::file(std::path::Path::new("targets.toml"), 1, lines.into(), 1);
    let err = refused(&target(Some("lex"), None), &file);
    assert!(
        err.contains("targets.toml line 4: log_prefix = \"lex\" does not end with '/'")
            && err.contains("use log_prefix = \"lex/\""),
        "{err}"
    );
    let err = refused(&target(None, Some("rec")), &file);
    assert!(
        err.contains("targets.toml line 6: audio_prefix = \"rec\" does not end with '/'"),
        "{err}"
    );
    // With '/' (and the defaults) both are taken as given; the other checks still apply.
    let spec = Spec::from_target(&target(Some("a/b/"), Some("rec/"))).unwrap();
    assert_eq!(spec.text.unwrap().log_prefix, "a/b/");
    assert_eq!(spec.audio.unwrap().prefix, "rec/");
    let spec = Spec::from_target(&target(None, None)).unwrap();
    assert_eq!(spec.text.unwrap().log_prefix, DEFAULT_LOG_PREFIX);
    assert_eq!(spec.audio.unwrap().prefix, DEFAULT_AUDIO_PREFIX);
    for bad in ["/lex/", "a*/", "a:b/", ""] {
        let err = refused(&target(Some(bad), None), &flags);
        assert!(err.contains("is not a valid prefix"), "{bad}: {err}");
    }
}

#[test]
fn selective_logging_names_the_halves_a_target_logs() {
    let target = |which: Option<&str>, text: bool, audio: bool| TargetConfig {
        bot: "B".into(),
        aliases: vec!["a".into()],
        no_text_logs: !text,
        audio_bucket: audio.then(|| "audio-bucket".to_string()),
        selective_logging: which.map(str::to_string),
        ..Default::default()
    };
    let selective = |which, text, audio| Spec::from_target(&target(which, text, audio));
    assert_eq!(selective(None, true, true).unwrap().selective, None);
    for (which, text, audio) in [
        ("text", true, false),
        ("audio", false, true),
        ("both", true, true),
        ("off", false, false),
    ] {
        assert_eq!(
            selective(Some(which), true, true).unwrap().selective,
            Some(Selective { text, audio }),
            "{which}"
        );
    }
    assert_eq!(
        selective(Some("off"), true, false).unwrap().selective,
        Some(Selective {
            text: false,
            audio: false
        })
    );
    for (which, text, audio, said) in [
        (
            "audio",
            true,
            false,
            "selective audio logs, but this target sets up no audio logs",
        ),
        (
            "both",
            false,
            true,
            "selective text logs, but this target sets up no text logs",
        ),
        ("text", false, true, "--no-text-logs"),
        (
            "sometimes",
            true,
            true,
            "is not one of text, audio, both, off",
        ),
    ] {
        let err = selective(Some(which), text, audio).unwrap_err().to_string();
        assert!(err.contains(said), "{which}: {err}");
    }
}

#[test]
fn a_log_group_is_given_by_name_or_by_its_arn_with_or_without_the_star() {
    use super::target::log_group_of_arn;
    let arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lex/OrderBot";
    let place = (
        "eu-west-1".to_string(),
        "111122223333".to_string(),
        "/aws/lex/OrderBot".to_string(),
    );
    assert_eq!(log_group_of_arn(arn), Some(place.clone()));
    assert_eq!(log_group_of_arn(&format!("{arn}:*")), Some(place));
    for bad in [
        "arn:aws:s3:::bucket",
        "arn:aws:logs:eu-west-1:1111:log-group:/g",
        "arn:aws:logs:eu-west-1:111122223333:destination:/g",
        "arn:aws:logs::111122223333:log-group:/g",
        "arn:aws:logs:eu-west-1:111122223333:log-group:/g:log-stream:s",
    ] {
        assert_eq!(log_group_of_arn(bad), None, "{bad}");
    }
    let target = |group: &str| TargetConfig {
        bot: "B".into(),
        aliases: vec!["a".into()],
        log_group: Some(group.into()),
        ..Default::default()
    };
    let text = Spec::from_target(&target(&format!("{arn}:*")))
        .unwrap()
        .text
        .unwrap();
    assert_eq!(text.log_group.as_deref(), Some("/aws/lex/OrderBot"));
    assert_eq!(
        text.log_group_place,
        Some(("eu-west-1".into(), "111122223333".into()))
    );
    let by_name = Spec::from_target(&target("/aws/lex/OrderBot"))
        .unwrap()
        .text
        .unwrap();
    assert_eq!(by_name.log_group_place, None);
    let err = Spec::from_target(&target("arn:aws:logs:x"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not a CloudWatch Logs group ARN"), "{err}");
}

#[test]
fn a_log_group_key_needs_text_logs_and_a_key_reference() {
    let target = |no_text_logs: bool, key: &str| TargetConfig {
        bot: "B".into(),
        aliases: vec!["a".into()],
        no_text_logs,
        audio_bucket: Some("order-audio".into()),
        log_group_kms_key: Some(key.into()),
        ..Default::default()
    };
    let err = Spec::from_target(&target(true, "alias/k"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--no-text-logs conflicts with --log-group-kms-key"),
        "{err}"
    );
    let err = Spec::from_target(&target(false, "arn:aws:s3:::bucket"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--log-group-kms-key \"arn:aws:s3:::bucket\" is not a KMS key"),
        "{err}"
    );
    let spec = Spec::from_target(&target(false, "alias/k")).unwrap();
    assert_eq!(spec.text.unwrap().kms_key.as_deref(), Some("alias/k"));
    assert_eq!(spec.audio.unwrap().kms_key, None, "not the audio key");
}

#[test]
fn the_alarm_and_the_queries_need_text_logs_and_a_topic_is_an_sns_arn() {
    let target = |alarm: bool, topic: Option<&str>, queries: bool, text: bool| TargetConfig {
        bot: "B".into(),
        aliases: vec!["a".into()],
        alarm,
        alarm_topic: topic.map(str::to_string),
        insights_queries: queries,
        no_text_logs: !text,
        audio_bucket: (!text).then(|| "bucket".into()),
        ..Default::default()
    };
    let topic = "arn:aws:sns:eu-west-1:111122223333:oncall";
    let spec = Spec::from_target(&target(true, Some(topic), true, true)).unwrap();
    assert_eq!(spec.alarm.unwrap().topic.as_deref(), Some(topic));
    assert!(spec.insights_queries);
    let plain = Spec::from_target(&target(false, None, false, true)).unwrap();
    assert_eq!((plain.alarm, plain.insights_queries), (None, false));
    for (args, expected) in [
        (
            target(false, Some(topic), false, true),
            "--alarm-topic needs --alarm",
        ),
        (
            target(true, None, false, false),
            "--alarm watches text logs",
        ),
        (
            target(false, None, true, false),
            "--insights-queries reads the text log group",
        ),
        (
            target(
                true,
                Some("arn:aws:sqs:eu-west-1:111122223333:q"),
                false,
                true,
            ),
            "is not an SNS topic ARN",
        ),
    ] {
        let err = Spec::from_target(&args).unwrap_err().to_string();
        assert!(err.contains(expected), "{err}");
    }
}
