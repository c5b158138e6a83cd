from django import template

from guatu.access import gateway

register = template.Library()


@register.simple_tag
def may_maintain_library(user) -> bool:
    """Whether the library offers "New project" (the gateway decides)."""
    return gateway.can_maintain_library(user)
