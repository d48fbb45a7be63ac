"""The proposal's state diagram as server-side SVG, drawn from the state machine itself.

The states and transitions are read from the model's FSM field (django-fsm lists them), so a
state or transition added to workflow/models.py appears here without an edit. Layout: the longest
path from the initial state (the usual life of a proposal) runs down the middle column; every
other state sits beside the rows it is reached from, states that lead on (returned) on the right
and end states (withdrawn, rejected, revoked) on the left. An edge that would cross a box bends
around it. The current state is filled; the states the proposal went through are marked.
"""

import math
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_fsm import RETURN_VALUE

from .display import TRANSITION_LABELS
from .models import ProposalState, RotationProposal

ROW_GAP = 66
NODE_HEIGHT = 36
COLUMN_GAP = 64
MARGIN = 14
CHAR_WIDTH = 7.1  # average advance of a 13 px sans-serif letter


@dataclass
class Node:
    state: str
    label: str
    row: int
    column: int
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = NODE_HEIGHT

    def contains(self, px, py, pad=3) -> bool:
        return (
            self.x - pad <= px <= self.x + self.width + pad
            and self.y - pad <= py <= self.y + self.height + pad
        )

    @property
    def centre(self):
        return self.x + self.width / 2, self.y + self.height / 2


@dataclass
class Edge:
    names: list[str]
    source: str
    target: str
    labels: list[str] = field(default_factory=list)


def state_machine(model=RotationProposal, field_name="state"):
    """(states in declaration order, initial state, [(transition, source, target)])."""
    state_field = model._meta.get_field(field_name)
    states = [value for value, _label in state_field.flatchoices]
    transitions = []
    for t in state_field.get_all_transitions(model):
        targets = t.target.allowed_states if isinstance(t.target, RETURN_VALUE) else [t.target]
        for target in targets:
            transitions.append((t.name, str(t.source), str(target)))
    return states, str(state_field.default), transitions


def _longest_path(start, successors, order) -> list[str]:
    best: list[str] = []

    def walk(path):
        nonlocal best
        if len(path) > len(best):
            best = list(path)
        for nxt in sorted(successors.get(path[-1], ()), key=order.index):
            if nxt not in path:
                path.append(nxt)
                walk(path)
                path.pop()

    walk([start])
    return best


def layout(states, initial, transitions, labels) -> tuple[dict[str, Node], list[Edge]]:
    successors: dict[str, set[str]] = {}
    for _name, source, target in transitions:
        successors.setdefault(source, set()).add(target)
    spine = _longest_path(initial, successors, states)
    nodes = {state: Node(state, labels[state], row, 1) for row, state in enumerate(spine)}
    taken = {(n.row, n.column) for n in nodes.values()}
    # States that lead on are placed first (on the right); an end state joins the column of a
    # side state it is reached from, else goes left.
    side = [s for s in states if s not in nodes]
    side.sort(key=lambda s: (not successors.get(s), states.index(s)))
    for state in side:
        rows = [
            nodes[other].row
            for _name, source, target in transitions
            for other in ((source,) if target == state else (target,) if source == state else ())
            if other in nodes and nodes[other].column == 1
        ]
        wanted = math.floor(sum(rows) / len(rows) + 0.5) if rows else len(spine)
        placed_neighbours = [
            nodes[other].column
            for _name, source, target in transitions
            for other in ((source,) if target == state else (target,) if source == state else ())
            if other in nodes and nodes[other].column != 1
        ]
        if successors.get(state):
            column = 2
        elif placed_neighbours:
            column = placed_neighbours[0]
        else:
            column = 0
        row = wanted
        for step in range(len(states)):
            candidates = (wanted + step, wanted - step) if step else (wanted,)
            free = [r for r in candidates if r >= 0 and (r, column) not in taken]
            if free:
                row = free[0]
                break
        nodes[state] = Node(state, labels[state], row, column)
        taken.add((row, column))

    width = max(150, max(len(n.label) for n in nodes.values()) * CHAR_WIDTH + 24)
    for node in nodes.values():
        node.width = width
        node.x = MARGIN + node.column * (width + COLUMN_GAP)
        node.y = MARGIN + node.row * ROW_GAP

    merged: dict[tuple[str, str], Edge] = {}
    for name, source, target in transitions:
        edge = merged.setdefault((source, target), Edge([], source, target))
        if name not in edge.names:
            edge.names.append(name)
            edge.labels.append(str(TRANSITION_LABELS.get(name, name)))
    return nodes, list(merged.values())


def _border_point(node: Node, towards):
    """Where the line from the node's centre towards a point leaves its box."""
    cx, cy = node.centre
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        (node.width / 2) / abs(dx) if dx else math.inf,
        (node.height / 2) / abs(dy) if dy else math.inf,
    )
    return cx + dx * scale, cy + dy * scale


def _quad(p0, c, p1, t):
    return (
        (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * c[0] + t**2 * p1[0],
        (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * c[1] + t**2 * p1[1],
    )


@dataclass
class Route:
    path: str
    label_at: tuple
    anchor: str
    points: list
    length: float


def _hits(samples, others) -> bool:
    return any(n.contains(px, py) for n in others for px, py in samples)


def _segment_samples(points, per_segment=12):
    samples = []
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        samples.extend(
            (x1 + (x2 - x1) * t / per_segment, y1 + (y2 - y1) * t / per_segment)
            for t in range(per_segment + 1)
        )
    return samples


def _channel_route(a: Node, b: Node, length: float) -> Route | None:
    """Out of the source's side, along the gap between the two columns, into the target's side:
    for an arrow whose direct line would cross a box."""
    if abs(a.column - b.column) != 1:
        return None
    rightwards = b.column > a.column
    (_ax, ay), (_bx, by) = a.centre, b.centre
    start = (a.x + a.width, ay) if rightwards else (a.x, ay)
    end = (b.x, by) if rightwards else (b.x + b.width, by)
    channel = (start[0] + end[0]) / 2
    points = [start, (channel, ay), (channel, by), end]
    path = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return Route(path, (channel, (ay + by) / 2), "start", points, length)


def _route(edge: Edge, nodes: dict[str, Node], reverse_exists: bool) -> Route:
    """A path for the edge: straight when it clears every other box, else a slight curve, else
    along the gap between columns, else a wider curve."""
    a, b = nodes[edge.source], nodes[edge.target]
    (ax, ay), (bx, by) = a.centre, b.centre
    length = math.hypot(bx - ax, by - ay) or 1
    nx, ny = -(by - ay) / length, (bx - ax) / length  # unit normal
    others = [n for n in nodes.values() if n.state not in (edge.source, edge.target)]
    # A pair of opposite edges is drawn side by side.
    base = 9 if reverse_exists else 0

    def curve_clear(offset):
        control = ((ax + bx) / 2 + nx * offset * 2, (ay + by) / 2 + ny * offset * 2)
        samples = [_quad((ax, ay), control, (bx, by), t / 24) for t in range(1, 24)]
        return control, not _hits(samples, others)

    offset, control = base, None
    for bend in (0, 16, -16, 32, -32):
        control, clear = curve_clear(base + bend)
        if clear:
            offset = base + bend
            break
    else:
        channel = _channel_route(a, b, length)
        if channel is not None and not _hits(_segment_samples(channel.points), others):
            return channel
        for bend in (56, -56, 88, -88, 132, -132, 176, -176):
            control, clear = curve_clear(base + bend)
            offset = base + bend
            if clear:
                break
    start = _border_point(a, control if offset else (bx, by))
    end = _border_point(b, control if offset else (ax, ay))
    if offset:
        # Re-aim the control point so the curve still passes where it was tested.
        mid = _quad((ax, ay), control, (bx, by), 0.5)
        control = (2 * mid[0] - (start[0] + end[0]) / 2, 2 * mid[1] - (start[1] + end[1]) / 2)
        path = (
            f"M{start[0]:.1f},{start[1]:.1f} Q{control[0]:.1f},{control[1]:.1f} "
            f"{end[0]:.1f},{end[1]:.1f}"
        )
        label_at = mid
        points = [start, control, end]
    else:
        path = f"M{start[0]:.1f},{start[1]:.1f} L{end[0]:.1f},{end[1]:.1f}"
        label_at = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        points = [start, end]
    # Side by side edges label on their own side.
    anchor = "middle"
    if reverse_exists:
        anchor = "start" if nx * (offset or 1) > 0 or (nx == 0 and ny > 0) else "end"
    return Route(path, label_at, anchor, points, length)


def state_labels() -> dict[str, str]:
    return {state.value: str(state.label) for state in ProposalState}


def state_diagram_svg(*, current: str | None = None, visited=(), title_id="state-diagram") -> str:
    """The SVG (safe HTML) with every state and transition; `current` filled, `visited` marked."""
    states, initial, transitions = state_machine()
    labels = state_labels()
    nodes, edges = layout(states, initial, transitions, labels)
    pairs = {(e.source, e.target) for e in edges}
    routes = [_route(edge, nodes, (edge.target, edge.source) in pairs) for edge in edges]
    # Label an action once per state it leads to, on its shortest arrow; every arrow keeps its
    # name in its tooltip and in the text alternative.
    labelled: dict[tuple[str, str], int] = {}
    for index, (edge, route) in enumerate(zip(edges, routes, strict=True)):
        key = (" / ".join(edge.labels), edge.target)
        if key not in labelled or route.length < routes[labelled[key]].length:
            labelled[key] = index
    xs = [p[0] for r in routes for p in r.points] + [n.x for n in nodes.values()]
    ys = [p[1] for r in routes for p in r.points] + [n.y for n in nodes.values()]
    x0 = min(min(xs), 0) - MARGIN / 2
    y0 = min(min(ys), 0) - MARGIN / 2
    width = max(max(xs), max(n.x + n.width for n in nodes.values())) + MARGIN - x0
    height = max(max(ys), max(n.y + n.height for n in nodes.values())) + MARGIN - y0
    visited = set(visited)
    title = _("State diagram of the proposal")
    if current:
        desc = _("The proposal is now in the state “%(state)s”.") % {"state": labels[current]}
    else:
        desc = _("Every state of a proposal and the actions that lead from one to another.")
    parts = [
        f'<svg class="state-diagram" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{x0:.0f} {y0:.0f} {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-labelledby="{title_id}-title {title_id}-desc">',
        f'<title id="{title_id}-title">{escape(title)}</title>',
        f'<desc id="{title_id}-desc">{escape(desc)}</desc>',
        "<defs>"
        f'<marker id="{title_id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'class="sd-arrow"/></marker>'
        "</defs>",
    ]
    label_parts = []
    for index, (edge, route) in enumerate(zip(edges, routes, strict=True)):
        text = " / ".join(edge.labels)
        parts.append(
            f'<g class="sd-edge" data-transition="{escape(" ".join(edge.names))}" '
            f'data-from="{edge.source}" data-to="{edge.target}">'
            f"<title>{escape(labels[edge.source])} → {escape(labels[edge.target])}: "
            f"{escape(text)}</title>"
            f'<path d="{route.path}" marker-end="url(#{title_id}-arrow)"/></g>'
        )
        if labelled[(text, edge.target)] != index:
            continue
        lx, ly = route.label_at
        shift = {"start": 5, "end": -5}.get(route.anchor, 0)
        label_parts.append(
            f'<text class="sd-edge-label" x="{lx + shift:.1f}" y="{ly + 3.5:.1f}" '
            f'text-anchor="{route.anchor}" aria-hidden="true">{escape(text)}</text>'
        )
    for state in states:
        node = nodes[state]
        classes = ["sd-state"]
        if state == current:
            classes.append("sd-current")
        elif state in visited:
            classes.append("sd-visited")
        cx, cy = node.centre
        parts.append(
            f'<g class="{" ".join(classes)}" data-state="{state}">'
            f'<rect x="{node.x:.1f}" y="{node.y:.1f}" width="{node.width:.1f}" '
            f'height="{node.height}" rx="7"/>'
            f'<text x="{cx:.1f}" y="{cy + 4.5:.1f}" text-anchor="middle">'
            f"{escape(node.label)}</text></g>"
        )
    parts.extend(label_parts)
    parts.append("</svg>")
    return mark_safe("".join(parts))


@dataclass
class StateStep:
    state: str
    label: str
    current: bool
    visited: bool
    leads_to: list[tuple[str, str]]  # (action label, state label)


def state_steps(*, current: str | None = None, visited=()) -> list[StateStep]:
    """The diagram as text: each state and where its actions lead (the SVG's text alternative)."""
    states, _initial, transitions = state_machine()
    labels = state_labels()
    visited = set(visited)
    steps = []
    for state in states:
        leads = [
            (str(TRANSITION_LABELS.get(name, name)), labels[target])
            for name, source, target in transitions
            if source == state
        ]
        steps.append(
            StateStep(state, labels[state], state == current, state in visited, sorted(set(leads)))
        )
    return steps
