"""Lost and found: the register, chain of custody, claims, handovers and matching of lost reports."""
