"""The funding applications on a project's page: `{% load reserve %}{% project_funding project can_maintain %}`."""

from django import template

from guatu.reserve.queries import project_applications

register = template.Library()


@register.inclusion_tag("reserve/_project_funding.html")
def project_funding(project, can_manage):
    """Whoever sees the project sees its applications (one query); its maintainers may add one."""
    return {"project": project, "applications": project_applications(project), "can_manage": can_manage}
