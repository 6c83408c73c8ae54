"""CloudWatch Logs saved queries (query definitions), which LocalStack 4.10 does not implement:
PutQueryDefinition, DescribeQueryDefinitions and DeleteQueryDefinition, as the CloudWatch Logs API
Reference describes them (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutQueryDefinition.html,
API_DescribeQueryDefinitions.html, API_DeleteQueryDefinition.html):

- a definition has an id (a UUID AWS makes), a name (names need not be unique), a query string,
  the log groups it is scoped to, its query language (`CWLI` unless given) and lastModified (ms);
- PutQueryDefinition with `queryDefinitionId` replaces that definition (an unknown id is
  ResourceNotFoundException), without it creates a new one; it answers the id;
- DescribeQueryDefinitions lists them, filtered by `queryDefinitionNamePrefix`, in pages of
  `maxResults` (1-1000; 1000 here when absent, assumed) with `nextToken`;
- DeleteQueryDefinition by id answers `success`; an unknown id is ResourceNotFoundException.

Query definitions carry no tags (TagResource takes log groups, destinations and the like).
Stored per account and region in memory, like the rest of the twin's state.
"""

from __future__ import annotations

import threading
import time
import uuid

_LOCK = threading.Lock()
# (account, region) -> {id: definition}, in creation order
_DEFINITIONS: dict[tuple[str, str], dict[str, dict]] = {}


def _store(context) -> dict[str, dict]:
    return _DEFINITIONS.setdefault((context.account_id, context.region), {})


def _not_found(query_definition_id: str):
    from localstack.aws.api.logs import ResourceNotFoundException

    return ResourceNotFoundException(f"Query definition {query_definition_id} does not exist")


def put_query_definition(self, context, request):
    with _LOCK:
        store = _store(context)
        definition_id = request.get("queryDefinitionId")
        if definition_id is not None and definition_id not in store:
            raise _not_found(definition_id)
        definition_id = definition_id or str(uuid.uuid4())
        definition = {
            "queryLanguage": request.get("queryLanguage") or "CWLI",
            "queryDefinitionId": definition_id,
            "name": request["name"],
            "queryString": request["queryString"],
            "lastModified": int(time.time() * 1000),
        }
        if request.get("logGroupNames"):
            definition["logGroupNames"] = list(request["logGroupNames"])
        store[definition_id] = definition
    return {"queryDefinitionId": definition_id}


def describe_query_definitions(self, context, request):
    prefix = request.get("queryDefinitionNamePrefix") or ""
    size = request.get("maxResults") or 1000
    start = int(request.get("nextToken") or 0)
    with _LOCK:
        found = [dict(d) for d in _store(context).values() if d["name"].startswith(prefix)]
    page = found[start:start + size]
    answer = {"queryDefinitions": page}
    if start + size < len(found):
        answer["nextToken"] = str(start + size)
    return answer


def delete_query_definition(self, context, request):
    with _LOCK:
        store = _store(context)
        definition_id = request["queryDefinitionId"]
        if definition_id not in store:
            raise _not_found(definition_id)
        del store[definition_id]
    return {"success": True}


def install() -> None:
    from localstack.aws.api import handler
    from localstack.services.logs.provider import LogsProvider

    if getattr(LogsProvider, "_lexlogs_queries", False):
        return
    LogsProvider.put_query_definition = handler("PutQueryDefinition", expand=False)(put_query_definition)
    LogsProvider.describe_query_definitions = handler("DescribeQueryDefinitions", expand=False)(
        describe_query_definitions
    )
    LogsProvider.delete_query_definition = handler("DeleteQueryDefinition", expand=False)(delete_query_definition)
    LogsProvider._lexlogs_queries = True
