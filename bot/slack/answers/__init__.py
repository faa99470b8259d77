"""What `/tip` and its subcommands answer, one module per area; listeners call these."""
