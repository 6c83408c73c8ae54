"""Bot replicas (Lex V2 Global Resiliency): CreateBotReplica, DescribeBotReplica, ListBotReplicas,
DeleteBotReplica, ListBotAliasReplicas and ListBotVersionReplicas, and the replica itself, which is
read-only in its region.

What AWS documents (https://docs.aws.amazon.com/lexv2/latest/dg/global-resiliency.html and the
API reference of each operation):
- a bot is replicated to the other region of a fixed pair (us-east-1/us-west-2,
  eu-west-2/eu-central-1); the replica keeps the bot's id, and its aliases and versions keep theirs;
- "bot mutations are uni-directional from bot to its replica. Users cannot modify the replica bot";
  every change to the source (versions, aliases, alias settings) is carried to the replica;
- ListBotVersionReplicas and ListBotAliasReplicas report each version's and alias's replication.

How the twin models it: the replica is not a copy but a view of the source bot, so the source's
changes are in the replica at once (AWS: "near real-time"; FIDELITY.md). Reads in the replica
region are served from the source with the region of every Lex, CloudWatch Logs and Lambda ARN
changed to the replica region: a replicated alias logs to the log group of the same name in the
replica region. An S3 bucket ARN names no region, so audio goes to the same bucket, which lives in
one region (delivery.py refuses a bucket outside the bot's region). TestBotAlias is not replicated
(assumed: the guide replicates aliases with their published versions).
"""

import copy
import re
from dataclasses import dataclass
from datetime import datetime

from localstack.aws.api import RequestContext, ServiceRequest

from . import answers, models
from .alias_view import AliasView, NotFound
from .models import LOCK, TEST_ALIAS_ID, TEST_ALIAS_NAME
from .validation import ValidationError

# The region pairs Global Resiliency works with (global-resiliency.html).
REGION_PAIRS = {
    "us-east-1": "us-west-2",
    "us-west-2": "us-east-1",
    "eu-west-2": "eu-central-1",
    "eu-central-1": "eu-west-2",
}

@dataclass
class Replica:
    source_region: str
    replica_region: str
    created: datetime


# (account, source region, bot id) -> {replica region: Replica}
_REPLICAS: dict[tuple[str, str, str], dict[str, Replica]] = {}


def source_of(account_id: str, region: str, bot_id: str) -> str | None:
    """The source region of bot `bot_id` when `region` holds a replica of it, else None."""
    for (account, source, bot), replicas in _REPLICAS.items():
        if account == account_id and bot == bot_id and region in replicas:
            return source
    return None


def forget(account_id: str, region: str, bot_id: str) -> None:
    """DeleteBot on the source removes its replicas (assumed)."""
    _REPLICAS.pop((account_id, region, bot_id), None)


# --- the replica operations (called in the source region) ---------------------------------------


def _replicas(context: RequestContext, bot_id: str) -> dict[str, Replica]:
    return _REPLICAS.setdefault((context.account_id, context.region, bot_id), {})


def _summary(replica: Replica) -> dict:
    return {"replicaRegion": replica.replica_region, "creationDateTime": replica.created,
            "botReplicaStatus": "Enabled", "failureReasons": []}


def _replica_or_fail(context: RequestContext, bot_id: str, region: str) -> Replica:
    replica = _replicas(context, bot_id).get(region)
    if replica is None:
        raise answers.not_found(
            context.operation.name,
            f"Failed to retrieve resource since it does not exist: replica of bot {bot_id} in {region}",
        )
    return replica


def create_bot_replica(context: RequestContext, request: ServiceRequest) -> dict:
    bot_id, region = request["botId"], request["replicaRegion"]
    paired = REGION_PAIRS.get(context.region)
    if region != paired:
        # AWS's wording is not documented; the code is the model's ValidationException (assumed).
        raise ValidationError(
            f"Bot {bot_id} in {context.region} can be replicated only to "
            f"{paired or 'no region (Global Resiliency pairs us-east-1/us-west-2 and eu-west-2/eu-central-1)'}, "
            f"not to {region}."
        )
    replicas = _replicas(context, bot_id)
    if region in replicas:
        raise answers.error("ConflictException", f"Bot {bot_id} already has a replica in {region}", 409)
    replica = replicas[region] = Replica(context.region, region, models.now())
    return {"botId": bot_id, "replicaRegion": region, "sourceRegion": context.region,
            "creationDateTime": replica.created, "botReplicaStatus": "Enabling"}


def describe_bot_replica(context: RequestContext, request: ServiceRequest) -> dict:
    bot_id = request["botId"]
    replica = _replica_or_fail(context, bot_id, request["replicaRegion"])
    return dict(_summary(replica), botId=bot_id, sourceRegion=replica.source_region)


def list_bot_replicas(context: RequestContext, request: ServiceRequest) -> dict:
    bot_id = request["botId"]
    summaries = [_summary(r) for _, r in sorted(_replicas(context, bot_id).items())]
    return {"botId": bot_id, "sourceRegion": context.region, "botReplicaSummaries": summaries}


def delete_bot_replica(context: RequestContext, request: ServiceRequest) -> dict:
    bot_id, region = request["botId"], request["replicaRegion"]
    _replica_or_fail(context, bot_id, region)
    del _replicas(context, bot_id)[region]
    return {"botId": bot_id, "replicaRegion": region, "botReplicaStatus": "Deleting"}


def _replicated_aliases(context: RequestContext, bot_id: str) -> list:
    return sorted(
        (a for a in answers.backend(context).bot_aliases.values()
         if a.bot_id == bot_id and a.bot_alias_name != TEST_ALIAS_NAME),
        key=lambda a: a.id,
    )


def list_bot_alias_replicas(context: RequestContext, request: ServiceRequest) -> dict:
    bot_id, region = request["botId"], request["replicaRegion"]
    replica = _replica_or_fail(context, bot_id, region)
    summaries = [
        {"botAliasId": a.id, "botAliasReplicationStatus": "Available", "botVersion": str(a.bot_version),
         "creationDateTime": replica.created, "lastUpdatedDateTime": replica.created, "failureReasons": []}
        for a in _replicated_aliases(context, bot_id)
    ]
    page, token = answers.page(summaries, request)
    response = {"botId": bot_id, "sourceRegion": context.region, "replicaRegion": region,
                "botAliasReplicaSummaries": page}
    if token:
        response["nextToken"] = token
    return response


def list_bot_version_replicas(context: RequestContext, request: ServiceRequest) -> dict:
    """Versions an alias uses (the guide: other versions replicate once an alias uses them)."""
    bot_id, region = request["botId"], request["replicaRegion"]
    replica = _replica_or_fail(context, bot_id, region)
    model = answers.bot_model(context, bot_id)
    used = {str(a.bot_version) for a in _replicated_aliases(context, bot_id)}
    numbers = sorted((n for n in used if n in model.versions), key=int)
    if (request.get("sortBy") or {}).get("order") == "Descending":
        numbers.reverse()
    summaries = [
        {"botVersion": n, "botVersionReplicationStatus": "Available",
         "creationDateTime": max(replica.created, model.versions[n].created), "failureReasons": []}
        for n in numbers
    ]
    page, token = answers.page(summaries, request)
    response = {"botId": bot_id, "sourceRegion": context.region, "replicaRegion": region,
                "botVersionReplicaSummaries": page}
    if token:
        response["nextToken"] = token
    return response


OPERATIONS = {
    "CreateBotReplica": create_bot_replica,
    "DescribeBotReplica": describe_bot_replica,
    "ListBotReplicas": list_bot_replicas,
    "DeleteBotReplica": delete_bot_replica,
    "ListBotAliasReplicas": list_bot_alias_replicas,
    "ListBotVersionReplicas": list_bot_version_replicas,
}


# --- the replica in its region: read-only, served from the source -----------------------------

_REGIONAL_ARN = re.compile(r"^arn:aws:(lex|logs|lambda):([a-z0-9-]+):")


def in_replica_region(value, source: str, replica: str):
    """`value` with the region of every Lex, CloudWatch Logs and Lambda ARN in `source` changed to
    `replica` (dicts and lists walked)."""
    if isinstance(value, dict):
        return {k: in_replica_region(v, source, replica) for k, v in value.items()}
    if isinstance(value, list):
        return [in_replica_region(v, source, replica) for v in value]
    if isinstance(value, str):
        match = _REGIONAL_ARN.match(value)
        if match and match.group(2) == source:
            return f"arn:aws:{match.group(1)}:{replica}:" + value[match.end():]
    return value


class _HeadersOnly:
    """What call_moto_with_request reads of the original request: its headers."""

    def __init__(self, headers):
        self.headers = headers


_CREDENTIAL_SCOPE = re.compile(r"(Credential=[^/]+/\d{8}/)([^/]+)(/)")


def source_context(context: RequestContext, source: str) -> RequestContext:
    """The request as if sent to the source region: moto reads the region from the signature's
    credential scope, the plugin from `context.region`."""
    moved = copy.copy(context)
    moved.region = source
    headers = copy.deepcopy(context.request.headers)
    authorization = headers.get("Authorization")
    if authorization:
        headers["Authorization"] = _CREDENTIAL_SCOPE.sub(rf"\g<1>{source}\g<3>", authorization, count=1)
    moved.request = _HeadersOnly(headers)
    return moved


def refuse_write(context: RequestContext, bot_id: str, source: str):
    # The guide: "Users cannot modify the replica bot"; AWS's error is not documented (assumed:
    # ValidationException, the code every mutating operation's model lists).
    raise ValidationError(
        f"Bot {bot_id} in {context.region} is a replica of the bot in {source} and is read-only; "
        f"make the change in {source} (Global Resiliency carries it to {context.region})."
    )


def is_read(operation: str) -> bool:
    """Reads of the replica (and of its replication, answered as in the source region: assumed)."""
    return operation.startswith(("Describe", "List"))


def replica_runtime_view(account_id: str, region: str, bot_id: str, alias_id: str) -> AliasView:
    """The runtime's view of a replicated alias in the replica region: the source alias's, with its
    ARN and the log group ARN of its text logs in the replica region. Raises NotFound."""
    from dataclasses import replace

    with LOCK:
        source = source_of(account_id, region, bot_id)
        if source is None or alias_id == TEST_ALIAS_ID:
            raise NotFound(f"bot {bot_id}")
        view = models.alias_runtime_view(account_id, source, bot_id, alias_id)
    return replace(
        view,
        region=region,
        alias_arn=in_replica_region(view.alias_arn, source, region),
        conversation_log_settings=in_replica_region(view.conversation_log_settings, source, region),
    )


def without_test_alias(operation: str, request: ServiceRequest, response: dict) -> dict:
    """TestBotAlias is not replicated (assumed): the replica answers no such alias."""
    if operation == "ListBotAliases":
        response["botAliasSummaries"] = [
            s for s in response.get("botAliasSummaries") or []
            if s.get("botAliasId") != TEST_ALIAS_ID and s.get("botAliasName") != TEST_ALIAS_NAME
        ]
    return response
