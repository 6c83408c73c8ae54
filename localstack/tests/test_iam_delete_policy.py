"""The twin's DeletePolicy (iam_quotas.py) through boto3: IAM refuses to delete a managed policy
that is still attached or has versions besides its default (DeleteConflict), and deletes it once
it is detached and its other versions are gone.
"""

import json
import os
import random

import boto3
import pytest
from botocore.exceptions import ClientError

PORT = os.environ.get("LOCALSTACK_PORT", "4566")
ENDPOINT = f"http://127.0.0.1:{PORT}"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def document(action: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": "*"}]})


@pytest.fixture
def iam():
    account = "4444" + "".join(random.choices("0123456789", k=8))
    return boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1",
                        aws_access_key_id=account, aws_secret_access_key="test")


def conflict(call) -> str:
    with pytest.raises(ClientError) as refused:
        call()
    assert refused.value.response["Error"]["Code"] == "DeleteConflict"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    return refused.value.response["Error"]["Message"]


def test_an_attached_policy_is_not_deleted_until_detached(iam):
    arn = iam.create_policy(PolicyName="attached", PolicyDocument=document("logs:PutLogEvents"))[
        "Policy"]["Arn"]
    iam.create_role(RoleName="holder", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="holder", PolicyArn=arn)
    assert "attached to entities" in conflict(lambda: iam.delete_policy(PolicyArn=arn))
    iam.get_policy(PolicyArn=arn)
    iam.detach_role_policy(RoleName="holder", PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as gone:
        iam.get_policy(PolicyArn=arn)
    assert gone.value.response["Error"]["Code"] == "NoSuchEntity"


def test_a_policy_with_other_versions_is_not_deleted_until_they_are(iam):
    arn = iam.create_policy(PolicyName="versions", PolicyDocument=document("logs:PutLogEvents"))[
        "Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("logs:CreateLogStream"),
                              SetAsDefault=True)
    assert "more than one version" in conflict(lambda: iam.delete_policy(PolicyArn=arn))
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    for version in versions:
        if not version["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=arn)


def test_a_policy_with_only_its_default_version_and_detached_is_deleted_at_once(iam):
    arn = iam.create_policy(PolicyName="single", PolicyDocument=document("s3:PutObject"))[
        "Policy"]["Arn"]
    iam.delete_policy(PolicyArn=arn)
    assert arn not in [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]]
