"""The platform every area stands on: database and migrations, configuration, clock, events, audit, accounts, translation, money, paths, fonts, settings, refusals. Imports no area."""
