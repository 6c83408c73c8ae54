"""What the Lex V2 runtime needs to know about an alias: the contract between the model side of the
twin (bots, locales, versions, aliases) and its runtime side (conversations and log delivery).

The runtime never reads moto's or the versions' storage directly; it asks `runtime_view`, so the
model side may change how it stores things without touching delivery. The view itself and its
error (`AliasView`, `NotFound`) live in alias_view.py, which models.py builds without importing this
module; they are re-exported here for the runtime side.
"""

from .alias_view import AliasView, NotFound
from .models import alias_runtime_view
from .replicas import replica_runtime_view

__all__ = ["AliasView", "NotFound", "runtime_view"]


def runtime_view(account_id: str, region: str, bot_id: str, alias_id: str) -> AliasView:
    """The alias as the runtime sees it; raises NotFound. Implemented by the model side."""
    try:
        return alias_runtime_view(account_id, region, bot_id, alias_id)
    except NotFound:
        # A bot replicated into this region (Global Resiliency) runs there as its source does.
        return replica_runtime_view(account_id, region, bot_id, alias_id)
