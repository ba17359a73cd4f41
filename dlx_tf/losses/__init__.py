"""Loss functions shared by two or more model families."""
