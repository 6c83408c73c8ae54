"""HTTP endpoint for the per-account emulator settings (settings.py):

    POST /_lexlogs/settings   {"account": "000000000000", "slr_inline_policies": false, "iam_propagation_seconds": 5,
                               "attached_policies_per_role_quota": 20}
    GET  /_lexlogs/settings?account=000000000000

Both answer the account's settings as JSON. An unknown name or a value of the wrong type is 400.
"""

import json

from . import settings

PATH = "/_lexlogs/settings"
DEFAULT_ACCOUNT = "000000000000"
TYPES = {"slr_inline_policies": bool, "iam_propagation_seconds": (int, float),
         "attached_policies_per_role_quota": int}


def _json(body: dict, status: int = 200):
    from localstack.http import Response

    return Response(json.dumps(body), status=status, mimetype="application/json")


def endpoint(request, **_kwargs):
    if request.method == "GET":
        account = request.args.get("account") or DEFAULT_ACCOUNT
        return _json({"account": account, **settings.as_dict(settings.get(account))})
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        return _json({"error": "the body is not JSON"}, 400)
    if not isinstance(body, dict):
        return _json({"error": "the body must be a JSON object"}, 400)
    account = str(body.pop("account", DEFAULT_ACCOUNT))
    for name, value in body.items():
        wanted = TYPES.get(name)
        if wanted is None:
            return _json({"error": f"unknown setting {name!r}; known: {sorted(TYPES)}"}, 400)
        if isinstance(value, bool) and wanted is not bool or not isinstance(value, wanted):
            return _json({"error": f"setting {name!r} has the wrong type"}, 400)
    updated = settings.update(account, **body)
    return _json({"account": account, **settings.as_dict(updated)})


def install() -> None:
    from localstack.services.edge import ROUTER

    ROUTER.add(path=PATH, endpoint=endpoint, methods=["GET", "POST"])
