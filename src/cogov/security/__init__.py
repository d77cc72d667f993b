"""Who may do what, where: roles scoped to governance units, and residents' personal data."""
