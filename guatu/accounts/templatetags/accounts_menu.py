from django import template

from guatu.access import gateway
from guatu.accounts.models import Role

register = template.Library()


@register.simple_tag
def may_manage_people(user) -> bool:
    """Whether the menu offers the org tree and the user pages (the gateway decides)."""
    return gateway.can_manage_people(user)


@register.simple_tag
def oversight_office(user) -> str:
    """"security" or "audit" for the security and audit administrators, whose menu holds their office's pages
    only; "" for everyone else."""
    if not gateway.is_oversight(user):
        return ""
    return "security" if user.role == Role.SECURITY_ADMIN else "audit"
