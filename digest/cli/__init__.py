"""The command line: parsing, logging, progress, the scheduler, one call into a recipe per command."""
