"""Whether a figure's text can be read: no title or label cut off at the figure's edge,
run into another, or drawn over a panel."""

import itertools


def layout_problems(figure):
    """One line per title or text (with its box, if drawn in one) that leaves the figure,
    overlaps another, or overlaps a panel's plotting area; [] when all can be read."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    boxes = [(text.get_text(), _extent(text, renderer)) for text in _texts(figure)
             if text is not None and text.get_text()]
    panels = [axis.get_window_extent(renderer) for axis in figure.axes
              if axis.axison or axis.images]
    problems = [f"{name!r} leaves the figure" for name, box in boxes
                if not (box.x0 >= 0 and box.y0 >= 0 and box.x1 <= figure.bbox.x1
                        and box.y1 <= figure.bbox.y1)]
    problems += [f"{a!r} overlaps {b!r}" for (a, box_a), (b, box_b)
                 in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]
    problems += [f"{name!r} overlaps a panel" for name, box in boxes
                 for panel in panels if box.overlaps(panel)]
    return problems


def _texts(figure):
    """Suptitles (the figure's and its subfigures'), panel titles and free text."""
    yield figure._suptitle  # noqa: SLF001 (matplotlib keeps no public handle on it)
    for part in figure.subfigs:
        yield part._suptitle  # noqa: SLF001
    for axis in figure.axes:
        yield from (axis.title, axis._left_title, axis._right_title)  # noqa: SLF001
        yield from axis.texts


def _extent(text, renderer):
    patch = text.get_bbox_patch()
    return (patch or text).get_window_extent(renderer)
