"""Code that one experiment needs and that must be importable and tested: its model
assembly, monitors, searches, reports and command-line tools, one folder per experiment."""
