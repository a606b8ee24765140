"""The desktop user interface (PySide6 + pyqtgraph). Widgets edit a ViewSpec and draw the engine's Results."""
