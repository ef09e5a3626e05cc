"""Visitors: sign-in and sign-out, who is on site, roll call, hosts, deny list, retention."""
