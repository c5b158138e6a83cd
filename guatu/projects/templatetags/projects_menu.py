from django import template

from guatu.access import gateway

register = template.Library()


@register.simple_tag
def may_manage_tags(user) -> bool:
    """Whether the menu offers the list of level tags (the gateway decides)."""
    return gateway.can_manage_tags(user)
