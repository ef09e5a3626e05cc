"""The manager's reports and exports section."""
