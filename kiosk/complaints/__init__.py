"""Complaints and service requests: the desk's third register (taking, deadlines, major rules, follow-up)."""
