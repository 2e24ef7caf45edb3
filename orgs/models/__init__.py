from orgs.models.accounts import RoleGrant
from orgs.models.members import Member, StatusChange, Transfer
from orgs.models.organizations import Organization, Position

__all__ = ["Member", "Organization", "Position", "RoleGrant", "StatusChange", "Transfer"]
