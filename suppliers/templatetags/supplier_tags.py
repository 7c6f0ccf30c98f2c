from django import template

register = template.Library()


@register.filter
def person(user, empty="—"):
    """A person's name, or their email, or a placeholder when there is nobody."""
    if user is None:
        return empty
    return user.full_name or user.email
