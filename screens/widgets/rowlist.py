"""Long lists that build only the rows on screen (issue 18): a RecycleView with the desk's habits.

A section hands `RowList.show(rows)` a list of plain dicts (``viewclass`` names the row widget, the
other keys become its properties; ``row_size`` is ``(None, height)``). However long the list, Kivy
builds the dozen row widgets that fit and reuses them while scrolling, so opening a section costs the
same on day one and in year three. `replace(key, value, row)` changes one row in place (a call event
updates its own row, not the list).

Like screens.widgets.common.TouchScroll it scrolls only when its rows are taller than itself: a list
that fits gets its taps at once instead of after the ScrollView's swipe delay.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.uix.recycleview import RecycleView

Builder.load_string("""
<RowList>:
    do_scroll_x: False
    key_viewclass: "viewclass"
    bar_width: dp(6)
    scroll_type: ["bars", "content"]
    RecycleBoxLayout:
        orientation: "vertical"
        default_size: None, dp(52)
        default_size_hint: 1, None
        key_size: "row_size"
        size_hint_y: None
        height: self.minimum_height
        spacing: dp(2)
""")


class RowList(RecycleView):
    """A recycled vertical list of rows (see the module's docstring)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.bind(height=self._update)

    @property
    def rows(self):
        """The RecycleBoxLayout holding the row widgets now on screen (tests look at its children)."""
        return self.layout_manager

    def add_widget(self, widget, *args, **kwargs) -> None:
        super().add_widget(widget, *args, **kwargs)
        widget.bind(height=self._update)
        self._update()

    def _update(self, *args) -> None:
        layout = self.layout_manager
        self.do_scroll_y = bool(layout is not None and layout.height > self.height + 1)

    def show(self, rows: Iterable[dict[str, Any]]) -> None:
        """Replace the whole list (only the visible rows are built)."""
        self.data = list(rows)

    def replace(self, key: str, value: Any, row: dict[str, Any] | None,
                order: Callable[[dict[str, Any]], Any] | None = None) -> bool:
        """Put `row` where the row whose `key` equals `value` is (or add it, kept in `order`, newest first);
        None removes it. Returns True when the list changed. The rows on screen are re-bound (a dozen
        widgets), nothing is rebuilt and nothing off screen is touched."""
        data = list(self.data)
        index = next((i for i, item in enumerate(data) if item.get(key) == value), None)
        if index is None and row is None:
            return False
        if index is None:
            data.append(row)
            if order is not None:
                data.sort(key=order, reverse=True)
        elif row is None:
            del data[index]
        else:
            data[index] = row
        self.data = data
        return True


def build_ahead(plan: tuple[tuple[str, int], ...]) -> bool:
    """One blank row widget for the first (viewclass name, count) of `plan` that has fewer than `count` waiting
    in Kivy's recycled-view cache (a section pool step, screens.section_pool); True while any is short.

    A RecycleView takes its rows from that cache before it builds one, so a section whose rows were built
    ahead draws its first screenful by re-binding them: the tap pays for the texts, not for the widgets
    (issue 18: the phone section's first open built its dozen rows, 68 labels). Blank rows hold no data."""
    from kivy.factory import Factory
    from kivy.uix.recycleview import views
    for name, count in plan:
        cls = getattr(Factory, name)
        waiting = views._cached_views[cls]   # Kivy's own module-wide cache (emptied on the app's stop)
        if len(waiting) < count:
            waiting.append(cls())
            views._cache_count += 1
            return len(waiting) < count or any(
                len(views._cached_views[getattr(Factory, n)]) < c for n, c in plan)
    return False


def row_size(height: float) -> tuple[None, float]:
    """The ``row_size`` value of a row `height` density-independent pixels high."""
    return (None, dp(height))
