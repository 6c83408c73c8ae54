"""Tests of the twin's GetAccountAuthorizationDetails (iam_listing.py) against a running
LocalStack with the plugin: the listing answers while other requests create roles in the same
account, as AWS does, and it lists what the account holds (roles with their inline policies).
"""

import json
import os
import random
import threading

import boto3

PORT = os.environ.get("LOCALSTACK_PORT", "4566")
ENDPOINT = f"http://127.0.0.1:{PORT}"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "lexv2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def iam(account: str):
    return boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1",
                        aws_access_key_id=account, aws_secret_access_key="test")


def test_the_listing_answers_while_roles_are_created_and_names_inline_policies():
    account = "3333" + "".join(random.choices("0123456789", k=8))
    client = iam(account)
    client.create_role(RoleName="listed", AssumeRolePolicyDocument=TRUST)
    client.put_role_policy(RoleName="listed", PolicyName="ours", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents",
                                                 "Resource": "*"}]}))
    stop = threading.Event()
    written = []

    def create_roles(thread: int):
        writer = iam(account)
        n = 0
        while not stop.is_set() and n < 300:
            name = f"busy-{thread}-{n}"
            writer.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
            # On the role just made: one role's inline policies together are capped at 10,240
            # characters (iam_quotas.py), which hundreds of them on `listed` would pass.
            writer.put_role_policy(RoleName=name, PolicyName=f"p{thread}-{n}",
                                   PolicyDocument=json.dumps({"Version": "2012-10-17",
                                   "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                  "Resource": "*"}]}))
            n += 1
        written.append(n)

    writers = [threading.Thread(target=create_roles, args=(i,)) for i in range(2)]
    for w in writers:
        w.start()
    try:
        for _ in range(40):
            details = client.get_account_authorization_details(Filter=["Role"])
            listed = {r["RoleName"]: r for r in details["RoleDetailList"]}
            assert "ours" in [p["PolicyName"] for p in listed["listed"]["RolePolicyList"]]
    finally:
        stop.set()
        for w in writers:
            w.join()
    assert len(written) == 2, "both writers ran to the end without an error"
