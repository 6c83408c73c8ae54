"""Tests of the twin's STS AssumeRole (sts_assume.py) against a running LocalStack with the plugin:
a role that does not exist, or whose trust policy does not allow the caller (or wants another
external id), is refused with AccessDenied as AWS does; an allowed one gives credentials for the
role's account.
"""

import json
import os
import random
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

PORT = os.environ.get("LOCALSTACK_PORT", "4566")
ENDPOINT = f"http://127.0.0.1:{PORT}"


def client(service: str, access_key: str, **credentials):
    return boto3.client(
        service, endpoint_url=ENDPOINT, region_name="us-east-1",
        aws_access_key_id=access_key, aws_secret_access_key="test", **credentials,
    )


def account() -> str:
    return "2222" + "".join(random.choices("0123456789", k=8))


def role_trusting(owner: str, trusted: str, external_id: str | None = None) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{trusted}:root"},
        "Action": "sts:AssumeRole",
    }
    if external_id:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    name = f"deployer-{uuid.uuid4().hex[:10]}"
    return client("iam", owner).create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )["Role"]["Arn"]


def assume(caller: str, role_arn: str, external_id: str | None = None):
    extra = {"ExternalId": external_id} if external_id else {}
    return client("sts", caller).assume_role(RoleArn=role_arn, RoleSessionName="twin-test", **extra)


def test_a_trusted_caller_gets_credentials_of_the_roles_account():
    pipeline, target = account(), account()
    role = role_trusting(target, pipeline, external_id="ext-1")
    creds = assume(pipeline, role, "ext-1")["Credentials"]
    assumed = client(
        "sts", creds["AccessKeyId"],
        aws_session_token=creds["SessionToken"],
    )
    assert assumed.get_caller_identity()["Account"] == target


@pytest.mark.parametrize("case", ["missing role", "untrusted caller", "wrong external id", "no external id"])
def test_refused_as_aws_refuses(case):
    pipeline, target, stranger = account(), account(), account()
    role = role_trusting(target, pipeline, external_id="ext-1")
    caller, external_id = pipeline, "ext-1"
    if case == "missing role":
        role = f"arn:aws:iam::{target}:role/NoSuchRole"
    elif case == "untrusted caller":
        caller = stranger
    elif case == "wrong external id":
        external_id = "ext-2"
    else:
        external_id = None
    with pytest.raises(ClientError) as refused:
        assume(caller, role, external_id)
    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert f"is not authorized to perform: sts:AssumeRole on resource: {role}" in error["Message"]
