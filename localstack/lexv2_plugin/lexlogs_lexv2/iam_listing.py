"""IAM GetAccountAuthorizationDetails answered from a snapshot of the account. moto's backend hands
the serializer live views of its role, user, group and policy dictionaries (and each entity's own
policy dictionaries), so a role created or a policy put by another request while the answer is
being written fails the call with "dictionary changed size during iteration" (an InternalError
AWS never gives for this). The answer is the account as it was when the call began."""

import copy


def _frozen(entity):
    """A shallow copy of a role, user or group whose dictionaries (inline policies, attached
    policies, tags) are copies too: what the serializer reads no longer changes under it."""
    frozen = copy.copy(entity)
    for name, value in list(vars(entity).items()):
        if isinstance(value, dict):
            setattr(frozen, name, dict(value))
    return frozen


def install() -> None:
    from moto.iam.models import IAMBackend

    if getattr(IAMBackend, "_lexlogs_listing_snapshot", False):
        return
    original = IAMBackend.get_account_authorization_details

    def snapshot(self, policy_filter):
        answer = original(self, policy_filter)
        # list() of a dict view and dict() of a dict copy in one step, without giving another
        # thread a turn.
        frozen = {name: list(items) for name, items in answer.items()}
        for name in ("roles", "users", "groups"):
            frozen[name] = [_frozen(entity) for entity in frozen.get(name, [])]
        return frozen

    IAMBackend.get_account_authorization_details = snapshot
    IAMBackend._lexlogs_listing_snapshot = True
