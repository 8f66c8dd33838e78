"""The command line and the stack launcher."""
