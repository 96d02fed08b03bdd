"""Small pure functions that return components; they take Vars and never call services."""
