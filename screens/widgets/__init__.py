"""Shared widgets: on-screen keyboard with pinyin, keyboard dock, signature pad, common pieces."""
