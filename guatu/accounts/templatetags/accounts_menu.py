from django import template

from guatu.access import gateway

register = template.Library()


@register.simple_tag
def may_manage_people(user) -> bool:
    """Whether the menu offers the org tree and the user pages (the gateway decides)."""
    return gateway.can_manage_people(user)
