"""Everything with a side effect in sitrep: the CLI, the Discord client, scheduler and store."""
