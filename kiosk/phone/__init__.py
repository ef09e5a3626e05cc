"""The desk phone: the pure call tracker (rings to prompt to outcome) and the call log."""
