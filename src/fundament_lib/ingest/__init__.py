"""Loading survey exports into the tidy answer table (see :mod:`.schema`)."""
