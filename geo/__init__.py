"""The domain and everything spatial: database, coordinates, workflow rules, queries, analyses."""
