"""Template helpers for the shared layout (templates/base.html): the navigation, the user's roles
and small display filters. Every page of every app loads them, so they live with the registry,
which all other apps depend on."""

from django import template
from django.conf import settings
from django.forms.utils import flatatt
from django.template.base import token_kwargs
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lib.urls import first_url
from personnel import selectors

register = template.Library()

ROLE_LABELS = {
    "admin": _("System administrator"),
    "committee_chair": _("Secretary (committee chair)"),
    "committee_deputy": _("Standing deputy secretary"),
    "committee_member": _("Standing Committee member"),
    "board_head": _("Head of the organisation board"),
    "board_member": _("Organisation board member"),
    "board_specialist": _("Organisation board specialist"),
    "office": _("Committee office"),
    "proposer": _("Proposer"),
    "official": _("Official"),
}
# A chair is also a member: show the most telling role once.
IMPLIED = {
    "committee_chair": {"committee_member"},
    "committee_deputy": {"committee_member"},
    "board_head": {"board_member"},
}

# (key, label, URL names to try in order, staff only). A section whose pages do not exist yet
# is left out instead of linking to a 404.
NAV = [
    ("home", _("My tasks"), ["home"], False),
    ("proposals", _("Proposals"), ["workflow:proposal_list", "proposal-list"], False),
    ("decisions", _("Decisions"), ["documents:decision_list", "decision-list"], False),
    ("reports", _("Reports"), ["reports:index"], False),
    ("personnel", _("Personnel"), ["personnel:official_list"], False),
    ("admin", _("Administration"), ["admin:index"], True),
]


@register.simple_tag(takes_context=True)
def site_nav(context):
    """The navigation items the current user sees, the current section marked."""
    request = context.get("request")
    user = getattr(request, "user", None)
    path = getattr(request, "path", "")
    items = []
    for key, label, names, staff_only in NAV:
        if staff_only and not (user and user.is_staff):
            continue
        url = first_url(names)
        if url is None:
            continue
        # The home page is "/", which every path starts with: only an exact match marks it.
        current = path == url if url == "/" else path.startswith(_section_prefix(url))
        items.append({"key": key, "label": label, "url": url, "current": current})
    return items


def _section_prefix(url):
    """/personnel/officials/ → /personnel/: every page of the section marks its nav item."""
    parts = [p for p in url.split("/") if p]
    return f"/{parts[0]}/" if parts else "/"


@register.simple_tag(takes_context=True)
def role_labels(context, user):
    """The user's roles today, in Vietnamese (or the active language), most senior first. A view
    that has read the roles already leaves them on the request (`request.user_roles`)."""
    roles = getattr(context.get("request"), "user_roles", None)
    roles = set(selectors.user_roles(user) if roles is None else roles)
    for role, implied in IMPLIED.items():
        if role in roles:
            roles -= implied
    return [str(label) for key, label in ROLE_LABELS.items() if key in roles]


@register.simple_tag
def demo_mode():
    return bool(getattr(settings, "DEMO_MODE", False))


@register.filter
def service_duration(months):
    """Whole months as "12 years 3 months" (translated)."""
    if months is None:
        return ""
    years, rest = divmod(int(months), 12)
    parts = []
    if years:
        parts.append(ngettext("%(n)d year", "%(n)d years", years) % {"n": years})
    if rest or not years:
        parts.append(ngettext("%(n)d month", "%(n)d months", rest) % {"n": rest})
    return " ".join(parts)


class StackedTableNode(template.Node):
    def __init__(self, nodelist, attrs):
        self.nodelist, self.attrs = nodelist, attrs

    def render(self, context):
        name = {f"aria-{key}": value.resolve(context) for key, value in self.attrs.items()}
        return format_html(
            '<div class="table-wrap" role="region"{} tabindex="0">\n'
            '<table class="table table-stack">{}</table>\n</div>',
            flatatt(name),
            mark_safe(self.nodelist.render(context)),  # rendered (and escaped) by the template
        )


@register.tag
def stacked_table(parser, token):
    """`{% stacked_table labelledby="heading-id" %}<thead>…</tbody>{% endstacked_table %}` (or
    `label="…"`): a table that stacks into cards on a narrow screen, scrolling inside a region
    that a keyboard can reach and a screen reader names."""
    attrs = token_kwargs(token.split_contents()[1:], parser)
    if set(attrs) not in ({"label"}, {"labelledby"}):
        raise template.TemplateSyntaxError("stacked_table takes label= or labelledby=")
    nodelist = parser.parse(("endstacked_table",))
    parser.delete_first_token()
    return StackedTableNode(nodelist, attrs)


class BreadcrumbsNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return format_html(
            '<nav class="breadcrumbs" aria-label="{}">\n<ol>{}</ol>\n</nav>',
            _("Breadcrumb"),
            mark_safe(self.nodelist.render(context)),  # rendered (and escaped) by the template
        )


@register.tag
def breadcrumbs(parser, token):
    """`{% breadcrumbs %}<li>…</li>…{% endbreadcrumbs %}`: the trail of links above a page's
    title, the current page last (`aria-current="page"`)."""
    nodelist = parser.parse(("endbreadcrumbs",))
    parser.delete_first_token()
    return BreadcrumbsNode(nodelist)
