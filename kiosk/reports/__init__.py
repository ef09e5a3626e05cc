"""The manager's daily logs and summaries: CSV, Excel and PDF exports to a folder or USB stick."""
