"""The locate engine: follows a profile's routes in a logged-in browser session."""
