"""``{% login_url %}`` and ``{% signup_url %}``: the account links, carrying the page they are
on as ``?next=`` (see marketplace.redirects)."""

from django import template

from marketplace.redirects import return_path, with_next

register = template.Library()


def _link(context, url_name: str) -> str:
    request = context.get("request")
    return with_next(url_name, return_path(request) if request is not None else "")


@register.simple_tag(takes_context=True)
def login_url(context) -> str:
    return _link(context, "login")


@register.simple_tag(takes_context=True)
def signup_url(context) -> str:
    return _link(context, "signup")
