"""kg: knowledge graphs from Chinese postal-banking newspaper pages."""

__version__ = "0.1.0"
