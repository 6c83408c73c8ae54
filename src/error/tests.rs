//! Unit tests of the error types: messages, hints, ambiguity, not-found.

use super::*;

fn sample(code: &str) -> AwsError {
    AwsError {
        place: None,
        operation: "iam:CreateRole",
        resource: "role[LexLogs-OrderBot]".into(),
        code: code.into(),
        message: "User is not authorized".into(),
        request_id: Some("abc-123".into()),
        status: Some(403),
        hint: hint_for(code, "iam:CreateRole"),
    }
}

#[test]
fn aws_error_names_operation_resource_code_request_id_and_next_step() {
    let text = sample("AccessDenied").to_string();
    assert!(text.contains("iam:CreateRole"), "{text}");
    assert!(text.contains("role[LexLogs-OrderBot]"), "{text}");
    assert!(text.contains("AccessDenied"), "{text}");
    assert!(text.contains("request id abc-123"), "{text}");
    assert!(
        text.contains("next: the caller lacks permission for iam:CreateRole"),
        "{text}"
    );
}

#[test]
fn unknown_codes_still_get_a_next_step() {
    let text = sample("SomethingNew").to_string();
    assert!(text.contains("next: read the AWS message"), "{text}");
    assert!(sample("Throttling").hint.contains("throttling"));
}

#[test]
fn server_errors_and_lost_connections_are_ambiguous() {
    assert!(!sample("AccessDenied").is_ambiguous());
    assert!(AwsError {
        place: None,
        status: Some(500),
        ..sample("InternalFailure")
    }
    .is_ambiguous());
    assert!(AwsError {
        place: None,
        status: None,
        ..sample("DispatchFailure")
    }
    .is_ambiguous());
}

fn answered(status: u16, body: &'static str) -> AwsError {
    let raw = HttpResponse::new(
        status.try_into().unwrap(),
        aws_smithy_types::body::SdkBody::from(body),
    );
    not_an_aws_answer("iam:GetRole", "role[R]".into(), &raw)
}

#[test]
fn answers_without_an_aws_error_name_the_status_operation_and_body() {
    let text = answered(404, "<!DOCTYPE html><html><body>Not Found</body></html>").to_string();
    assert!(
        text.contains("iam:GetRole on role[R] failed: HTTP 404:")
            && text.contains("with HTTP 404 and an HTML page")
            && text.contains("may not be an AWS endpoint")
            && !text.contains("Unknown")
            && !text.contains("message above"),
        "{text}"
    );
    assert!(answered(404, "").message.contains("an empty body"));
    let long = answered(502, "upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111");
    assert!(
        long.message.contains("\"upstream connect error") && long.message.contains("...\""),
        "{}",
        long.message
    );
    assert!(long.is_ambiguous(), "a 5xx may have taken effect");
}

#[test]
fn invalid_input_maps_to_the_usage_exit_code() {
    assert_eq!(Error::invalid("bad", "fix").exit_code(), exit_code::USAGE);
    assert_eq!(Error::Config("x".into()).exit_code(), exit_code::FAILURE);
}

#[test]
fn not_found_codes_of_every_service_are_one_notion() {
    for code in [
        "NoSuchEntity",
        "NoSuchEntityException",
        "ResourceNotFoundException",
        "NotFoundException",
        "NoSuchBucket",
    ] {
        assert!(sample(code).is_not_found(), "{code}");
        assert!(Error::from(sample(code)).is_not_found(), "{code}");
    }
    for code in [
        "AccessDenied",
        "PreconditionFailedException",
        "ValidationException",
    ] {
        assert!(!sample(code).is_not_found(), "{code}");
    }
    assert!(!Error::Config("x".into()).is_not_found());
}

#[test]
fn optional_turns_not_found_into_none_and_keeps_other_errors() {
    assert_eq!(Ok::<_, Error>(3).optional().unwrap(), Some(3));
    let gone: Result<i32> = Err(sample("NoSuchEntity").into());
    assert_eq!(gone.optional().unwrap(), None);
    let denied: Result<i32> = Err(sample("AccessDenied").into());
    assert!(denied.optional().unwrap_err().has_code(&["AccessDenied"]));
}

#[test]
fn an_error_names_the_place_of_its_call_and_keeps_the_innermost() {
    let here = crate::provider::Provider {
        account: "111111111111".into(),
        region: "eu-west-1".into(),
        via: None,
    };
    let there = crate::provider::Provider {
        account: "222222222222".into(),
        region: "us-east-1".into(),
        via: Some("arn:aws:iam::222222222222:role/Deploy".into()),
    };
    let unplaced = Error::from(sample("AccessDenied"));
    assert!(!unplaced.to_string().contains("eu-west-1"));
    let placed = unplaced.placed(&there).placed(&here);
    let text = placed.to_string();
    assert!(
        text.contains("iam:CreateRole on role[LexLogs-OrderBot] in account 222222222222, us-east-1 (as arn:aws:iam::222222222222:role/Deploy) failed"),
        "{text}"
    );
    let json = placed.to_json();
    assert_eq!(json["error"]["account"], "222222222222");
    assert_eq!(json["error"]["region"], "us-east-1");
    // Not an AWS error: nothing to place.
    let other = Error::Internal("x".into()).placed(&here);
    assert_eq!(other.to_json()["error"].get("region"), None);
}
