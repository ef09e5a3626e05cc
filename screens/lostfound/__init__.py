"""The lost-and-found desk section."""
