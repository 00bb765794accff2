"""Roles: how a component treats a request, one class per role (see ``base.Role``). A kind's
declaration names its role; everything that needs a behaviour asks ``role(name)``.

    from simcore.roles import role
    role("balancer").split_weights(node)
"""

from __future__ import annotations

from simcore.roles.balancer import BalancerRole
from simcore.roles.base import READ, WRITE, Role, TooBig
from simcore.roles.database import DatabaseRole
from simcore.roles.leaf import QueueRole, TerminalRole
from simcore.roles.mean import CacheRole, LimiterRole, RouterRole, SourceRole
from simcore.roles.service import ServiceRole

ROLES: dict[str, Role] = {r.name: r for r in (
    SourceRole(), BalancerRole(), RouterRole(), LimiterRole(), CacheRole(), ServiceRole(),
    DatabaseRole(), QueueRole(), TerminalRole())}


def role(name: str) -> Role:
    """The role called ``name``; a ValueError naming the known roles otherwise."""
    try:
        return ROLES[name]
    except KeyError:
        raise ValueError(f"unknown role {name!r} (known: {', '.join(sorted(ROLES))})") from None


__all__ = ["READ", "ROLES", "WRITE", "Role", "TooBig", "role"]
