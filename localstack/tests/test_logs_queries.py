"""Saved Logs Insights queries (CloudWatch Logs query definitions), which the twin models because
LocalStack 4.10 does not: put (create, replace by id), describe by name prefix with pages, delete
by id; an unknown id is ResourceNotFoundException. Through boto3, in an account of its own.
"""

import os
import random
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

ENDPOINT = f"http://127.0.0.1:{os.environ.get('LOCALSTACK_PORT', '4566')}"


@pytest.fixture
def logs():
    account = str(random.randint(10**11, 10**12 - 1))
    return boto3.client(
        "logs", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="t"
    )


def test_put_describe_replace_delete(logs):
    prefix = f"team/{uuid.uuid4().hex[:6]}/"
    first = logs.put_query_definition(
        name=f"{prefix}missed", queryString="fields @timestamp | limit 5", logGroupNames=["/g"]
    )["queryDefinitionId"]
    logs.put_query_definition(name="other/one", queryString="fields @message")
    [found] = logs.describe_query_definitions(queryDefinitionNamePrefix=prefix)["queryDefinitions"]
    assert found["queryDefinitionId"] == first
    assert (found["name"], found["queryString"], found["logGroupNames"]) == (
        f"{prefix}missed", "fields @timestamp | limit 5", ["/g"]
    )
    assert found["queryLanguage"] == "CWLI" and found["lastModified"] > 0
    # The same name again is another definition; with the id, the same one replaced.
    second = logs.put_query_definition(name=f"{prefix}missed", queryString="fields @message")["queryDefinitionId"]
    assert second != first
    again = logs.put_query_definition(queryDefinitionId=first, name=f"{prefix}missed", queryString="stats count(*)")
    assert again["queryDefinitionId"] == first
    by_id = {d["queryDefinitionId"]: d for d in logs.describe_query_definitions(
        queryDefinitionNamePrefix=prefix)["queryDefinitions"]}
    assert set(by_id) == {first, second}
    assert by_id[first]["queryString"] == "stats count(*)" and "logGroupNames" not in by_id[first]
    assert logs.delete_query_definition(queryDefinitionId=first)["success"] is True
    remaining = logs.describe_query_definitions(queryDefinitionNamePrefix=prefix)["queryDefinitions"]
    assert [d["queryDefinitionId"] for d in remaining] == [second]


def test_unknown_ids_are_not_found(logs):
    for call in (
        lambda: logs.delete_query_definition(queryDefinitionId=str(uuid.uuid4())),
        lambda: logs.put_query_definition(queryDefinitionId=str(uuid.uuid4()), name="n", queryString="fields @message"),
    ):
        with pytest.raises(ClientError) as error:
            call()
        assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_pages(logs):
    for i in range(3):
        logs.put_query_definition(name=f"paged/{i}", queryString="fields @message")
    first = logs.describe_query_definitions(queryDefinitionNamePrefix="paged/", maxResults=2)
    assert len(first["queryDefinitions"]) == 2
    rest = logs.describe_query_definitions(queryDefinitionNamePrefix="paged/", maxResults=2, nextToken=first["nextToken"])
    assert [d["name"] for d in rest["queryDefinitions"]] == ["paged/2"] and "nextToken" not in rest
