"""Visitor screens (self sign-in and sign-out) and the staff visitors desk."""
