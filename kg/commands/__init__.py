"""CLI commands, one module per area: extract (facts), graph (stores), explore (people)."""
